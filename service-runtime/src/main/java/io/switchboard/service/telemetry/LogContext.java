package io.switchboard.service.telemetry;

import io.helidon.logging.common.HelidonMdc;

/**
 * The ids a log line carries besides its message, per thread: {@value #SESSION_ID} on a WebSocket connection's own
 * thread, {@value #TRACE_ID} while a publish is handled. {@link LogFormat}'s formatters print them: the text format
 * after the message, the JSON format as fields. The trace id is kept in the logging framework's MDC
 * ({@link HelidonMdc}); the session id in a thread-local of its own, because it stays for a connection's whole life
 * and the MDC would keep a hash map on every connection's thread (about 160 bytes per idle connection).
 *
 * <p>Thread-confined by nature: each method acts on the calling thread's ids only.
 */
public final class LogContext {
    /** Log field: the client connection's session id. */
    public static final String SESSION_ID = "session_id";
    /** Log field and MDC key: the W3C trace id (32 hex digits) of the publish being handled. */
    public static final String TRACE_ID = "trace_id";

    private static final ThreadLocal<String> SESSION = new ThreadLocal<>();

    private LogContext() {
    }

    /** From now on this thread's lines carry {@code sessionId} (a connection's thread: until it ends). */
    public static void session(String sessionId) {
        SESSION.set(sessionId);
    }

    /** This thread's lines no longer carry a session id. */
    public static void clearSession() {
        SESSION.remove();
    }

    /**
     * This thread's lines carry {@code traceId} until the returned scope closes, which restores the id it replaced
     * (none, or an outer publish's).
     */
    public static Scope trace(String traceId) {
        String previous = HelidonMdc.get(TRACE_ID).orElse(null);
        HelidonMdc.set(TRACE_ID, traceId);
        return previous == null ? Scope.REMOVE_TRACE : () -> HelidonMdc.set(TRACE_ID, previous);
    }

    /** The value of {@code key} on this thread, or null. */
    static String get(String key) {
        return SESSION_ID.equals(key) ? SESSION.get() : HelidonMdc.get(key).orElse(null);
    }

    /** Ends what {@link #trace} began; never throws. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        Scope REMOVE_TRACE = () -> HelidonMdc.remove(TRACE_ID);

        @Override
        void close();
    }
}
