package io.switchboard.gateway.ws;

import java.util.List;

/**
 * Where an {@link OutboundQueue}'s writer puts frames: the WebSocket connection. Called by one writer thread
 * at a time, except {@link #abort()}, which any thread may call to tear the transport down (unblocking a writer
 * stuck on a client that does not read).
 */
public interface FrameSink {
    /** Writes one frame; blocks while the socket is congested; throws when the transport is gone. */
    void send(OutboundFrame frame);

    /**
     * Writes several frames in this order; a sink that can should put them on the socket in one write. The
     * default writes them one by one.
     */
    default void send(List<OutboundFrame> frames) {
        for (OutboundFrame frame : frames) {
            send(frame);
        }
    }

    /** Sends a close frame with {@code code} and {@code reason}. */
    void close(int code, String reason);

    /** Tears down the transport without a close handshake. Idempotent, never blocks. */
    void abort();
}
