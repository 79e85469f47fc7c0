package io.switchboard.gateway.session;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * How a session ends, each way once: a close the gateway starts (the requests stop, the fan-out and presence let go
 * of the session, the queued frames and a close frame are written, and the transport is aborted if the close does
 * not complete within the close timeout), and the end of the transport (closed by either side, or broken), which
 * releases everything at once. {@link ClientSession} keeps its state and calls these steps.
 *
 * <p>Thread-safe: either may run on any thread; compare-and-set flags make each run once.
 */
final class SessionClose {
    // The session's logger: what an operator enables to follow a session covers its close too.
    private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());

    private final String sessionId;
    private final SessionOutput output;
    private final RequestLane lane;
    private final RoomPermissions permissions;
    private final RoomSubscriptions rooms;
    private final SessionPresence presence;
    private final SessionTimeouts timeouts;
    private final GatewayMetrics metrics;
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final AtomicBoolean transportClosed = new AtomicBoolean();
    private volatile Future<?> abortTimer;

    /**
     * @param output      the connection's write path: the close frame, or the end of its writer
     * @param lane        the requests that wait, dropped
     * @param permissions permission checks whose answers come later, ignored
     * @param rooms       the fan-out's subscriptions, left
     * @param presence    told the session closed
     * @param timeouts    the close timeout
     * @param metrics     closes by code, slow consumers
     */
    SessionClose(String sessionId, SessionOutput output, RequestLane lane, RoomPermissions permissions,
                 RoomSubscriptions rooms, SessionPresence presence, SessionTimeouts timeouts, GatewayMetrics metrics) {
        this.sessionId = sessionId;
        this.output = output;
        this.lane = lane;
        this.permissions = permissions;
        this.rooms = rooms;
        this.presence = presence;
        this.timeouts = timeouts;
        this.metrics = metrics;
    }

    /** True for the first caller only: the close starts (or the transport ended first, and there is none). */
    boolean start() {
        return closeStarted.compareAndSet(false, true);
    }

    /**
     * After {@link #start}: stops fan-out and requests, writes the frames already queued (all but SLOW_CONSUMER,
     * whose queue is dropped), then a close frame; aborts the transport if it is still open after the close timeout.
     */
    void close(int code, String reason) {
        release();
        boolean slow = code == ErrorCode.SLOW_CONSUMER_VALUE;
        metrics.closed(code);
        if (slow) {
            metrics.slowConsumer();
        }
        output.writeClose(code, reason, slow);
        if (!transportClosed.get()) {
            abortTimer = timeouts.afterCloseTimeout(this::abortIfOpen);
        }
    }

    /**
     * The transport is gone: true for the first caller only, who then calls {@link #releaseTransport}. A close not
     * started yet never will be.
     */
    boolean transportEnded() {
        if (!transportClosed.compareAndSet(false, true)) {
            return false;
        }
        closeStarted.set(true);
        return true;
    }

    /** After {@link #transportEnded}: lets go of everything the session held, without writing anything more. */
    void releaseTransport() {
        cancel(abortTimer);
        release();
        // No interrupt: on a client-initiated close Helidon still writes its close reply on this socket.
        output.terminate(false);
    }

    /** Whether the transport has ended. */
    boolean transportClosed() {
        return transportClosed.get();
    }

    /** Tears the transport down now, without a close handshake. */
    void abort() {
        output.abort();
    }

    /**
     * Drops the requests that wait, makes permission answers that come later do nothing, leaves the fan-out and
     * tells presence.
     */
    private void release() {
        lane.stop();
        permissions.close();
        rooms.clear();
        presence.closed();
    }

    private void abortIfOpen() {
        if (!transportClosed.get()) {
            LOG.fine(() -> "Session " + sessionId + " did not finish closing in time; aborting");
            abort();
        }
    }

    static void cancel(Future<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
