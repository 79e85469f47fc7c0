package io.switchboard.gateway.sse;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.switchboard.gateway.limits.CapGate;
import io.switchboard.gateway.limits.ConnectionCaps;
import io.switchboard.gateway.ws.ConnectionHandler;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.service.telemetry.LogContext;

/**
 * {@code GET <path>}: opens an event stream, the HTTP fallback's counterpart of a WebSocket upgrade. It is refused the
 * way an upgrade is (503 while the gateway does not take connections, 403 for an origin the upgrade would refuse, 503
 * or 429 beyond the connection caps, which streams and WebSockets share); else it answers 200
 * {@code text/event-stream}, writes the {@code open} event with the stream's id, opens a JSON session writing to the
 * stream ({@link SseFrameSink}) and holds the request's thread (the connection's virtual thread, as a WebSocket's
 * reader holds it) until the stream ends: after the close event the response ends normally; after an abort the TCP
 * connection is dropped. A heartbeat goes through the session's write path every heartbeat interval (as a pong, which
 * the sink writes as a comment line). Thread-safe.
 */
final class EventStreamHandler implements Handler {
    private static final Logger LOG = Logger.getLogger(EventStreamHandler.class.getName());
    private static final byte[] NO_PAYLOAD = new byte[0];
    static final String RETRY_AFTER_SECONDS = "5";

    private final Supplier<ConnectionHandler.Factory> sessions;
    private final BooleanSupplier admitting;
    private final OriginRule origins;
    private final CapGate caps;
    private final SseStreams streams;
    private final ScheduledExecutorService timer;
    private final Duration heartbeat;

    /**
     * @param sessions  opens the session of each stream; null until the gateway is ready
     * @param admitting whether the gateway takes new connections (not while starting or draining)
     * @param origins   the upgrade's origin rule
     * @param caps      the connection caps
     * @param timer     runs the heartbeats (short, non-blocking tasks)
     */
    EventStreamHandler(Supplier<ConnectionHandler.Factory> sessions, BooleanSupplier admitting, OriginRule origins,
                       CapGate caps, SseStreams streams, ScheduledExecutorService timer, Duration heartbeat) {
        this.sessions = sessions;
        this.admitting = admitting;
        this.origins = origins;
        this.caps = caps;
        this.streams = streams;
        this.timer = timer;
        this.heartbeat = heartbeat;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) throws InterruptedException {
        ConnectionHandler.Factory factory = sessions.get();
        if (factory == null || !admitting.getAsBoolean()) {
            res.header(HeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
            res.status(Status.SERVICE_UNAVAILABLE_503).send("gateway is not taking connections: try another");
            return;
        }
        if (!origins.allows(req)) {
            res.status(Status.FORBIDDEN_403).send("origin not allowed");
            return;
        }
        Optional<ConnectionCaps.Lease> lease = caps.admit(req, res);
        if (lease.isEmpty()) {
            return;
        }
        try {
            stream(factory, res);
        } finally {
            lease.get().release();
        }
    }

    private void stream(ConnectionHandler.Factory factory, ServerResponse res) throws InterruptedException {
        String id = streams.newId();
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        // nginx: pass events on at once instead of buffering the response.
        res.header("X-Accel-Buffering", "no");
        SseFrameSink sink = new SseFrameSink(res.outputStream(), SseEvents.open(id, heartbeat));
        ConnectionHandler session = factory.open(Subprotocol.JSON, sink);
        SseStream stream = new SseStream(id, session, sink);
        // Registered before the client learns the id, so that its first POST finds the stream.
        streams.add(stream);
        LogContext.session(session.id());
        long every = heartbeat.toMillis();
        ScheduledFuture<?> beats = timer.scheduleWithFixedDelay(() -> session.onWsPing(NO_PAYLOAD), every, every,
                TimeUnit.MILLISECONDS);
        SseFrameSink.End end = SseFrameSink.End.ABORTED;
        try {
            sink.writeOpening();
            end = sink.awaitEnd();
        } finally {
            beats.cancel(false);
            streams.remove(stream);
            session.onTransportClosed();
            LogContext.clearSession();
        }
        if (end == SseFrameSink.End.ABORTED) {
            LOG.fine(() -> "Event stream of session " + session.id() + " aborted");
            // Nothing more may be written (a write could block on a client that does not read): drop the connection.
            throw new CloseConnectionException("event stream aborted");
        }
    }
}
