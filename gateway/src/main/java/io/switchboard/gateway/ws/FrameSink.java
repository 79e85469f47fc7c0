package io.switchboard.gateway.ws;

import java.util.List;
import java.util.concurrent.Executor;

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

    /**
     * Where the connection's writer runs when this sink's writes never block: a Netty channel's event loop, where a
     * write goes straight to the channel instead of being handed to it from another thread. Null (the default): the
     * queue starts a writer thread of its own, which may block in {@link #send}. A writer on this executor asks
     * {@link #writable()} before each batch; while it is false the frames stay queued (so the queue's byte bound
     * still holds for a client that does not read) until the sink runs the task given to {@link #whenWritable}.
     */
    default Executor writerExecutor() {
        return null;
    }

    /** With a {@link #writerExecutor()}: false while the transport holds more unwritten bytes than it should. */
    default boolean writable() {
        return true;
    }

    /**
     * With a {@link #writerExecutor()}: runs {@code resume} on that executor once {@link #writable()} turns true
     * again (or the transport ends), never inline; a later call replaces an earlier one. Called on that executor,
     * possibly under the queue's lock.
     */
    default void whenWritable(Runnable resume) {
        writerExecutor().execute(resume);
    }

    /** Sends a close frame with {@code code} and {@code reason}. */
    void close(int code, String reason);

    /** Tears down the transport without a close handshake. Idempotent, never blocks. */
    void abort();
}
