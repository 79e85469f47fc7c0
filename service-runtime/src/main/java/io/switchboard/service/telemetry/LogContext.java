package io.switchboard.service.telemetry;

import io.helidon.logging.common.HelidonMdc;

/**
 * The ids a log line carries besides its message, kept in the logging framework's MDC ({@link HelidonMdc}, per
 * thread): {@value #SESSION_ID} on a WebSocket connection's own thread, {@value #TRACE_ID} while a publish is handled.
 * {@link LogFormat}'s formatters print them: the text format after the message, the JSON format as fields.
 *
 * <p>Thread-confined by nature: each method acts on the calling thread's MDC only.
 */
public final class LogContext {
    /** MDC key: the client connection's session id. */
    public static final String SESSION_ID = "session_id";
    /** MDC key: the W3C trace id (32 hex digits) of the publish being handled. */
    public static final String TRACE_ID = "trace_id";

    private LogContext() {
    }

    /** From now on this thread's lines carry {@code sessionId} (a connection's thread: until it ends). */
    public static void session(String sessionId) {
        HelidonMdc.set(SESSION_ID, sessionId);
    }

    /** This thread's lines no longer carry a session id. */
    public static void clearSession() {
        HelidonMdc.remove(SESSION_ID);
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
        return HelidonMdc.get(key).orElse(null);
    }

    /** Ends what {@link #trace} began; never throws. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        Scope REMOVE_TRACE = () -> HelidonMdc.remove(TRACE_ID);

        @Override
        void close();
    }
}
