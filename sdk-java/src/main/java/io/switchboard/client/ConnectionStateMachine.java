package io.switchboard.client;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.ServerFrame;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * The connection lifecycle of one client: token, WebSocket, Connect handshake, keepalive, and what to do
 * after a close (reconnect with backoff and full jitter, reconnect within a Drain hint, refresh the token,
 * or close for good; see {@link CloseCodes}). Time comes from the injected clock and scheduler only, so
 * tests drive it with a manual scheduler and a fake transport.
 *
 * <p>Not thread-safe: every method runs on the client's event loop ({@code loop}); transport callbacks are
 * hopped onto it and tagged with a connection generation, so events of a superseded connection are ignored.
 */
final class ConnectionStateMachine {
    private static final System.Logger LOG = System.getLogger(ConnectionStateMachine.class.getName());

    /** The client's reactions, called on the event loop. */
    interface Handler {
        void onStateChange(StateChange change);

        /** Authenticated: resubscribe, resend, resume. */
        void onConnected(Connected connected);

        /** A frame after Connected (Pong excluded). */
        void onFrame(ServerFrame frame);

        /** The authenticated connection ended (the client may reconnect). */
        void onConnectionLost();

        /** A failure that does not end the client (e.g. the token provider failed). */
        void onError(SwitchboardException error);

        /** Final: the client is CLOSED, by {@link #close()} or by a terminal close code. */
        void onClosed(SwitchboardException cause, boolean byApplication);
    }

    private final ClientSettings settings;
    private final TransportConnector connector;
    private final Scheduler loop;
    private final TokenManager tokens;
    private final Backoff backoff;
    private final Handler handler;
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();

    private volatile ConnectionState state = ConnectionState.DISCONNECTED;
    private volatile Transport transport;
    private int generation;
    private boolean authenticated;
    private int attempt;
    private Duration drainWithin; // from the last Drain frame of the current connection
    private Instant lastReceived;
    private long nextNonce;
    private Scheduler.Cancellable retryTimer;
    private Scheduler.Cancellable handshakeTimer;
    private Scheduler.Cancellable keepaliveTimer;

    ConnectionStateMachine(ClientSettings settings, TransportConnector connector, Scheduler loop, TokenManager tokens,
                           Backoff backoff, Handler handler) {
        this.settings = settings;
        this.connector = connector;
        this.loop = loop;
        this.tokens = tokens;
        this.backoff = backoff;
        this.handler = handler;
    }

    /** Thread-safe read of the current state. */
    ConnectionState state() {
        return state;
    }

    /** Thread-safe: the current transport, or null between connections. */
    Transport transport() {
        return transport;
    }

    /** Completes when the client is first CONNECTED; fails if it is CLOSED before. Thread-safe. */
    CompletableFuture<Void> firstConnect() {
        return firstConnect;
    }

    boolean connected() {
        return state == ConnectionState.CONNECTED && authenticated;
    }

    /** Starts connecting; fails if already started. */
    void start() {
        if (state != ConnectionState.DISCONNECTED) {
            throw new IllegalStateException("Already started (state: " + state + ")");
        }
        change(ConnectionState.CONNECTING, 0, "");
        open();
    }

    /** Sends {@code frame} if authenticated; returns false (nothing sent) otherwise. */
    boolean send(ClientFrame frame) {
        Transport t = transport;
        if (!connected() || t == null) {
            return false;
        }
        t.send(frame);
        return true;
    }

    /** Closes for good (idempotent). */
    void close() {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        Transport t = transport;
        boolean wasConnected = authenticated;
        detach();
        if (t != null) {
            t.close(1000, "client closed");
        }
        if (wasConnected) {
            handler.onConnectionLost();
        }
        finish(1000, "client closed", true);
    }

    private void open() {
        int gen = ++generation;
        tokens.current().whenComplete((token, error) -> loop.execute(() -> {
            if (gen != generation || state == ConnectionState.CLOSED) {
                return;
            }
            if (error != null) {
                handler.onError(new SwitchboardException(ErrorCode.UNAVAILABLE, "token provider failed: " + error, true));
                lost(1006, "no token");
                return;
            }
            tokens.acceptIfNew(token);
            connector.connect(settings.uri(), listener(gen))
                    .whenComplete((t, failure) -> loop.execute(() -> opened(gen, token, t, failure)));
        }));
    }

    /**
     * Runs a transport's callback on the loop. A transport may report after the client closed and its scheduler shut
     * down (an event stream's reader ending late): the client has nothing left to do, and the transport's thread must
     * not die of it.
     */
    private void fromTransport(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: see above
        }
    }

    private TransportConnector.Listener listener(int gen) {
        return new TransportConnector.Listener() {
            @Override
            public void onFrame(ServerFrame frame) {
                fromTransport(() -> {
                    if (gen == generation) {
                        received(frame);
                    }
                });
            }

            @Override
            public void onClosed(int code, String reason) {
                fromTransport(() -> {
                    if (gen == generation) {
                        Transport t = transport;
                        boolean wasConnected = authenticated;
                        detach();
                        if (t != null && wasConnected) {
                            handler.onConnectionLost();
                        }
                        lost(code, reason);
                    }
                });
            }
        };
    }

    private void opened(int gen, String token, Transport t, Throwable failure) {
        if (gen != generation || state == ConnectionState.CLOSED) {
            if (t != null) {
                t.abort(); // a superseded attempt that completed late
            }
            return;
        }
        if (failure != null) {
            LOG.log(Level.DEBUG, () -> "connect to " + settings.uri() + " failed: " + failure);
            generation++;
            lost(1006, "connect failed: " + failure.getMessage());
            return;
        }
        transport = t;
        lastReceived = settings.clock().instant();
        t.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token).setClient(settings.clientName())).build());
        handshakeTimer = loop.schedule(() -> {
            if (gen == generation && !authenticated) {
                t.abort(); // no Connected in time: treat as a broken connection
            }
        }, settings.connectTimeout());
    }

    private void received(ServerFrame frame) {
        if (frame.hasBatch()) {
            // Several frames that waited together at the gateway: each as if it had come alone, in order.
            for (ServerFrame inner : frame.getBatch().getFramesList()) {
                received(inner);
            }
            return;
        }
        lastReceived = settings.clock().instant();
        if (!authenticated) {
            if (frame.hasConnected()) {
                authenticated = true;
                cancel(handshakeTimer);
                attempt = 0;
                drainWithin = null;
                change(ConnectionState.CONNECTED, 0, "");
                scheduleKeepalive(generation);
                handler.onConnected(frame.getConnected());
                firstConnect.complete(null);
            } else if (frame.hasError()) {
                handler.onError(SwitchboardException.of(frame.getError()));
            }
            return;
        }
        switch (frame.getFrameCase()) {
            case DRAIN -> {
                drainWithin = Duration.ofMillis(frame.getDrain().getReconnectWithinMs());
                handler.onFrame(frame);
            }
            case PONG -> { }
            default -> handler.onFrame(frame);
        }
    }

    private void scheduleKeepalive(int gen) {
        keepaliveTimer = loop.schedule(() -> {
            if (gen != generation || !authenticated) {
                return;
            }
            Duration idle = Duration.between(lastReceived, settings.clock().instant());
            Transport t = transport;
            if (idle.compareTo(settings.pingInterval().multipliedBy(2)) >= 0) {
                t.abort(); // no Pong (nor anything else) for two intervals: the link is dead
                return;
            }
            if (idle.compareTo(settings.pingInterval()) >= 0) {
                t.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(++nextNonce)).build());
            }
            scheduleKeepalive(gen);
        }, settings.pingInterval());
    }

    /** Forgets the current connection and its timers; its late events are ignored from now on. */
    private void detach() {
        generation++;
        transport = null;
        authenticated = false;
        cancel(handshakeTimer);
        cancel(keepaliveTimer);
        cancel(retryTimer);
    }

    private void lost(int code, String reason) {
        Duration delay;
        switch (CloseCodes.action(code)) {
            case CLOSE -> {
                finish(code, reason, false);
                return;
            }
            case REFRESH_TOKEN_AND_RECONNECT -> {
                tokens.invalidate();
                delay = backoff.delay(attempt++);
            }
            case RECONNECT_AFTER_DRAIN -> {
                if (drainWithin != null) {
                    // The gateway asked for a spread-out reconnect; the drain is not a failure of ours.
                    delay = backoff.uniform(drainWithin);
                    attempt = 0;
                } else {
                    delay = backoff.delay(attempt++);
                }
            }
            default -> delay = backoff.delay(attempt++);
        }
        drainWithin = null;
        if (state != ConnectionState.RECONNECTING) {
            change(ConnectionState.RECONNECTING, code, reason);
        }
        LOG.log(Level.DEBUG, () -> "connection closed " + code + " " + reason + "; reconnecting in " + delay);
        retryTimer = loop.schedule(() -> {
            if (state == ConnectionState.RECONNECTING && transport == null) {
                open();
            }
        }, delay);
    }

    private void finish(int code, String reason, boolean byApplication) {
        cancel(retryTimer);
        generation++;
        change(ConnectionState.CLOSED, code, reason);
        SwitchboardException cause = new SwitchboardException(code, reason.isEmpty() ? "connection closed" : reason, false, "");
        firstConnect.completeExceptionally(cause);
        handler.onClosed(cause, byApplication);
    }

    private void change(ConnectionState next, int code, String reason) {
        ConnectionState previous = state;
        state = next;
        handler.onStateChange(new StateChange(previous, next, code, reason == null ? "" : reason));
    }

    private static void cancel(Scheduler.Cancellable timer) {
        if (timer != null) {
            timer.cancel();
        }
    }
}
