package io.switchboard.gateway.ws;

/**
 * Where an {@link OutboundQueue}'s writer puts frames: the WebSocket connection. Called by one writer thread
 * at a time, except {@link #abort()}, which any thread may call to tear the transport down (unblocking a writer
 * stuck on a client that does not read).
 */
public interface FrameSink {
    /** Writes one frame; blocks while the socket is congested; throws when the transport is gone. */
    void send(OutboundFrame frame);

    /** Sends a close frame with {@code code} and {@code reason}. */
    void close(int code, String reason);

    /** Tears down the transport without a close handshake. Idempotent, never blocks. */
    void abort();
}
