package io.switchboard.gateway.session;

import java.time.Instant;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

import io.switchboard.gateway.auth.AuthException;
import io.switchboard.gateway.auth.VerifiedToken;
import io.switchboard.gateway.limits.ConnectionLimits;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.ws.ConnectionHandler;
import io.switchboard.gateway.ws.FrameCodec;
import io.switchboard.gateway.ws.OutboundFrame;
import io.switchboard.gateway.ws.ProtocolViolation;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Drain;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * One client connection: its state (awaiting Connect, connected, closing), the protocol rules for each frame, and
 * its close. Connect must come first, within the connect timeout; every frame after it goes to
 * {@link RequestDispatch} (rate limits, the connection's {@link RequestLane}, the handler of each request type).
 * Every outbound frame goes through the connection's one write path ({@link SessionOutput}); a token that expires
 * closes the connection 3501; {@link SessionClose} runs the steps of a close and of the transport's end.
 *
 * <p>Threads: {@link #onFrame} runs on the connection's reader thread only (a request it queues may run later on
 * the thread that answered a permission check); signals ({@link #sendUserFrame}, {@link #serverSubscribe},
 * {@link #close(int, String)}) on the signal consumer's thread; timeouts and expiry checks on the timer;
 * {@link #close} and {@link #onTransportClosed} on any of them. Thread-safe: the state is an atomic reference,
 * and closing is guarded by compare-and-set so it runs once.
 */
public final class ClientSession implements ConnectionHandler {
    private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());

    private enum State { AWAITING_CONNECT, CONNECTED, CLOSING }

    private final String sessionId;
    private final Subprotocol subprotocol;
    private final SessionOutput output;
    private final SessionAuth auth;
    private final SessionPresence presence;
    private final ConnectionLimits limits;
    private final RequestDispatch requests;
    private final SessionClose ending;
    private final GatewayReplies replies;
    private final SessionTimeouts timeouts;
    private final ConnectionRegistry connections;
    private final GatewayMetrics metrics;
    private final AtomicReference<State> state = new AtomicReference<>(State.AWAITING_CONNECT);
    private volatile Future<?> connectTimer;

    /**
     * Built by {@link SessionFactory}, which builds each part with the collaborators its job needs.
     *
     * @param output      the connection's write path
     * @param auth        the user, the token's grants and its expiry
     * @param presence    what presence hears of the session
     * @param limits      the Connect frame's size limit, the frame rate limits, the cluster's per-user cap
     * @param requests    where requests after Connect go
     * @param ending      the steps of a close and of the transport's end
     * @param replies     Connected
     * @param timeouts    the connect timeout
     * @param connections the gateway's live connections, by user
     * @param metrics     connections and received frames
     */
    ClientSession(String sessionId, Subprotocol subprotocol, SessionOutput output, SessionAuth auth,
                  SessionPresence presence, ConnectionLimits limits, RequestDispatch.Handlers requests,
                  SessionClose ending, GatewayReplies replies, SessionTimeouts timeouts,
                  ConnectionRegistry connections, GatewayMetrics metrics) {
        this.sessionId = sessionId;
        this.subprotocol = subprotocol;
        this.output = output;
        this.auth = auth;
        this.presence = presence;
        this.limits = limits;
        this.requests = new RequestDispatch(output, limits, requests, replies, () -> state.get() == State.CONNECTED,
                this::close);
        this.ending = ending;
        this.replies = replies;
        this.timeouts = timeouts;
        this.connections = connections;
        this.metrics = metrics;
        output.closeWith(this::close);
    }

    /** Registers the connection, starts its writer and its connect timeout. */
    void open() {
        auth.onRefreshed(this::tokenRefreshed);
        connections.add(this);
        metrics.connectionOpened();
        output.start();
        connectTimer = timeouts.afterConnectTimeout(this::connectTimedOut);
    }

    @Override
    public String id() {
        return sessionId;
    }

    public String sessionId() {
        return sessionId;
    }

    public Subprotocol subprotocol() {
        return subprotocol;
    }

    /** The authenticated user; empty before Connect. */
    @Override
    public String userId() {
        return auth.userId();
    }

    /**
     * Drain, step one (any thread): tells the client a close 3000 follows and to reconnect within
     * {@code reconnectWithinMs}. Publishes are already refused by the gateway's admission at this point.
     */
    public void announceDrain(int reconnectWithinMs) {
        if (state.get() != State.CLOSING) {
            output.send(ServerFrame.newBuilder().setDrain(Drain.newBuilder()
                    .setReconnectWithinMs(reconnectWithinMs)).build());
        }
    }

    /** Publishes of this connection still waiting for a router's answer (a drain closes after they are acked). */
    public int publishesInFlight() {
        return requests.publishesInFlight();
    }

    /** Signal thread: a frame for this connection's user (a UserMessage). */
    public void sendUserFrame(ServerFrame frame) {
        if (state.get() == State.CONNECTED) {
            output.send(frame);
        }
    }

    /**
     * Signal thread: a backend's SubscribeUser for this connection; runs in the connection's request order, without
     * a permission check.
     */
    public void serverSubscribe(String room, boolean wantsPresence) {
        requests.serverSubscribe(room, wantsPresence);
    }

    /** Signal thread: a backend's UnsubscribeUser for this connection; runs in the connection's request order. */
    public void serverUnsubscribe(String room, String reason) {
        requests.serverUnsubscribe(room, reason);
    }

    /** Handles one decoded client frame. Reader thread only. */
    @Override
    public void onFrame(ClientFrame frame) {
        metrics.frameReceived(FrameCodec.typeOf(frame));
        output.received(frame);
        State s = state.get();
        if (s == State.CLOSING) {
            return;
        }
        switch (frame.getFrameCase()) {
            case CONNECT -> limits.refuseConnect(frame.getSerializedSize()).ifPresentOrElse(
                    tooBig -> close(ErrorCode.CLOSE_MESSAGE_TOO_BIG, tooBig), () -> onConnect(frame.getConnect()));
            case FRAME_NOT_SET -> close(ErrorCode.PROTOCOL_ERROR, "unknown or missing frame type");
            default -> {
                if (s != State.CONNECTED) {
                    close(ErrorCode.PROTOCOL_ERROR, "first frame must be Connect, got " + FrameCodec.typeOf(frame));
                } else {
                    requests.offer(frame);
                }
            }
        }
    }

    private void onConnect(Connect connect) {
        if (state.get() == State.CONNECTED) {
            output.send(ServerFrames.error(0, new ClientError(ErrorCode.ALREADY_CONNECTED, "already connected"), ""));
            return;
        }
        VerifiedToken token;
        try {
            token = auth.connect(connect.getToken());
        } catch (AuthException e) {
            close(e.code(), e.getMessage());
            return;
        }
        if (!state.compareAndSet(State.AWAITING_CONNECT, State.CONNECTED)) {
            return; // the connect timeout won the race
        }
        SessionClose.cancel(connectTimer);
        connectTimer = null; // an idle connection keeps no cancelled task
        if (!connections.userConnected(this, token.userId())) {
            limits.userCapReached();
            close(ErrorCode.TOO_MANY_CONNECTIONS, "connections of this user on this gateway: "
                    + (connections.maxPerUser() + 1) + " (expected: <= " + connections.maxPerUser() + ")");
            return;
        }
        if (ending.transportClosed()) {
            connections.remove(this); // the transport ended while we indexed: undo
        }
        connections.tokenAccepted(this, token.expiresAt());
        presence.opened(token.userId(), connect.getClient());
        output.send(replies.connected(sessionId, token.userId()));
        limits.afterConnect(token.userId(), sessionId, reason -> close(ErrorCode.TOO_MANY_CONNECTIONS, reason));
        LOG.fine(() -> "Session " + sessionId + " connected as " + token.userId() + " (" + subprotocol.token() + ")");
    }

    /** Answers a WebSocket-level ping through the write path. */
    @Override
    public void onWsPing(byte[] payload) {
        output.enqueue(OutboundFrame.pong(payload));
    }

    @Override
    public void onProtocolViolation(ProtocolViolation violation) {
        metrics.frameReceived("invalid");
        close(ErrorCode.PROTOCOL_ERROR, violation.getMessage());
    }

    /** Timer: closes with TOKEN_EXPIRED when the token expired at or before {@code cutoff}. */
    void closeIfExpired(Instant cutoff) {
        if (state.get() == State.CONNECTED && auth.expiredAt(cutoff)) {
            close(ErrorCode.TOKEN_EXPIRED, "token expired; connect again with a fresh token");
        }
    }

    /** A RefreshToken was taken: the connection is filed under the new token's expiry. */
    private void tokenRefreshed(Instant expiresAt) {
        if (state.get() == State.CONNECTED) {
            connections.tokenAccepted(this, expiresAt);
        }
    }

    private void connectTimedOut() {
        if (state.get() == State.AWAITING_CONNECT) {
            close(ErrorCode.CONNECT_TIMEOUT, "no Connect frame within " + timeouts.connectTimeout());
        }
    }

    /**
     * Closes the connection with {@code code}: stops fan-out to it, writes the frames already queued (all but
     * SLOW_CONSUMER, whose queue is dropped), then a close frame; aborts the transport if the close does not
     * complete within the close timeout. Runs once; later calls return false.
     */
    @Override
    public boolean close(ErrorCode code, String reason) {
        return close(code.getNumber(), reason);
    }

    /**
     * {@link #close(ErrorCode, String)} with a numeric code: also an application code 4000-4999 chosen by a
     * backend's disconnect.
     */
    public boolean close(int code, String reason) {
        if (!ending.start()) {
            return false;
        }
        state.set(State.CLOSING);
        SessionClose.cancel(connectTimer);
        ending.close(code, reason);
        LOG.fine(() -> "Session " + sessionId + " closing with " + code + ": " + reason);
        return true;
    }

    /** Tears the transport down now, without a close handshake. */
    void abort() {
        ending.abort();
    }

    /** The WebSocket is gone (closed by either side or broken). Idempotent; any thread. */
    @Override
    public void onTransportClosed() {
        if (!ending.transportEnded()) {
            return;
        }
        state.set(State.CLOSING);
        SessionClose.cancel(connectTimer);
        ending.releaseTransport();
        connections.remove(this);
        metrics.connectionClosed();
        LOG.fine(() -> "Session " + sessionId + " transport closed");
    }

    @Override
    public String toString() {
        return "ClientSession{" + sessionId + ", " + subprotocol.token() + ", state=" + state.get() + "}";
    }
}
