package io.switchboard.gateway.ws;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * What the transport of one connection (a WebSocket, or the HTTP fallback's stream and posts) drives: decoded client frames, transport-level events and the
 * closes the transport itself decides (oversized or invalid messages). The session logic behind it lives in
 * {@code io.switchboard.gateway.session}; this package knows only this interface.
 *
 * <p>{@link #onFrame}, {@link #onWsPing} and {@link #onProtocolViolation} are called on the connection's reader
 * thread only; {@link #close} and {@link #onTransportClosed} on any thread. Implementations are thread-safe.
 */
public interface ConnectionHandler {
    /** Creates the handler of a new connection. Implementations are thread-safe. */
    @FunctionalInterface
    interface Factory {
        /**
         * Opens the session of a connection that negotiated {@code subprotocol} and writes to {@code sink}: it
         * starts the connection's writer and its connect timeout.
         */
        ConnectionHandler open(Subprotocol subprotocol, FrameSink sink);
    }

    /** The connection's id, for log lines and thread names. */
    String id();

    /** The authenticated user (the token's {@code sub}); empty before Connect. */
    String userId();

    /** One decoded client frame. */
    void onFrame(ClientFrame frame);

    /** A WebSocket-level ping: answered with a pong through the connection's one write path. */
    void onWsPing(byte[] payload);

    /** A message that is not a valid frame of the subprotocol: counted, and the connection closes PROTOCOL_ERROR. */
    void onProtocolViolation(ProtocolViolation violation);

    /**
     * Closes the connection with {@code code} after the frames already queued.
     *
     * @return false when a close had already started
     */
    boolean close(ErrorCode code, String reason);

    /** The WebSocket is gone (closed by either side or broken). Idempotent. */
    void onTransportClosed();
}
