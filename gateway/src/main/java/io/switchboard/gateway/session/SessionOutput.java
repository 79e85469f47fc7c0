package io.switchboard.gateway.session;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import io.switchboard.gateway.debug.FrameTap;
import io.switchboard.gateway.fanout.FanoutMessage;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.ws.CloseReason;
import io.switchboard.gateway.ws.FrameCodec;
import io.switchboard.gateway.ws.FrameSink;
import io.switchboard.gateway.ws.OutboundFrame;
import io.switchboard.gateway.ws.OutboundQueue;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.gateway.ws.WriterLanes;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * The session's side of its connection's one write path: encodes server frames with the connection's
 * subprotocol and queues them on its {@link OutboundQueue}. A frame that would overflow the queue's byte bound
 * closes the connection SLOW_CONSUMER (the queue is dropped), and parts of the session that meet a fatal
 * condition ask for a close through {@link #closeConnection}: both go to the session's close, bound once with
 * {@link #closeWith} when the session is built (the session owns this output, so it cannot exist before it).
 *
 * <p>Thread-safe: the queue takes frames from any thread; the close target is written once before the session is
 * opened and only read afterwards.
 */
final class SessionOutput {
    /** Closes the connection with a code and a reason; the session's close. */
    @FunctionalInterface
    interface CloseTarget {
        void close(ErrorCode code, String reason);
    }

    private final Subprotocol subprotocol;
    private final FrameCodec codec;
    private final FrameSink sink;
    private final OutboundQueue queue;
    private final long maxQueueBytes;
    private final FrameTap tap;
    private volatile CloseTarget closeTarget;

    /**
     * @param name          names the writer thread (the session id)
     * @param maxQueueBytes byte bound of the outbound queue
     * @param lanes         the writer lanes the queue is written on; null for a writer thread of its own
     * @param tap           logs the frames queued while debug mode targets this connection
     */
    SessionOutput(String name, Subprotocol subprotocol, FrameSink sink, long maxQueueBytes, GatewayMetrics metrics,
                  WriterLanes lanes, FrameTap tap) {
        this.subprotocol = subprotocol;
        this.tap = tap;
        this.codec = subprotocol.codec();
        this.sink = sink;
        this.maxQueueBytes = maxQueueBytes;
        this.queue = new OutboundQueue(name, maxQueueBytes, sink, new OutboundQueue.Listener() {
            @Override
            public void queuedBytesChanged(long delta) {
                metrics.outboundQueueBytes(delta);
            }

            @Override
            public void sent(OutboundFrame frame) {
                metrics.frameSent(frame.type());
            }

            @Override
            public void writeFailed(RuntimeException failure) {
                // The socket is gone or broken: make sure the transport ends so cleanup runs.
                sink.abort();
            }
        }, lanes);
    }

    /** Binds the close that overflows and {@link #closeConnection} go to; once, before {@link #start}. */
    void closeWith(CloseTarget target) {
        if (closeTarget != null) {
            throw new IllegalStateException("close target already bound");
        }
        closeTarget = Objects.requireNonNull(target, "target");
    }

    /** Starts the writer. */
    void start() {
        if (closeTarget == null) {
            throw new IllegalStateException("no close target bound");
        }
        queue.start();
    }

    /** Encodes and queues {@code frame}. */
    void send(ServerFrame frame) {
        tap.outbound(frame);
        enqueue(codec.encode(frame));
    }

    /** Queues an encoded frame; never blocks. */
    void enqueue(OutboundFrame frame) {
        if (queue.offer(frame) == OutboundQueue.Offer.OVERFLOW) {
            closeConnection(ErrorCode.SLOW_CONSUMER, "slow consumer: more than " + maxQueueBytes + " bytes queued");
        }
    }

    /** The byte bound of the outbound queue. */
    long maxQueueBytes() {
        return maxQueueBytes;
    }

    /** False once the connection's output is closing or ended: nothing more will be written. */
    boolean accepting() {
        return queue.accepting();
    }

    /** Bytes queued and not yet written. */
    long queuedBytes() {
        return queue.queuedBytes();
    }

    /**
     * Completes once at most {@code bytes} are queued, or once the output ended (the next enqueue is then
     * discarded); on the writer's thread, so continue with an async stage.
     */
    CompletableFuture<Void> whenQueuedAtMost(long bytes) {
        return queue.whenQueuedAtMost(bytes);
    }

    /** {@code frame} in this connection's encoding. */
    OutboundFrame encode(ServerFrame frame) {
        tap.outbound(frame);
        return codec.encode(frame);
    }

    /** A fanned-out message in this connection's encoding, shared with every connection of the same subprotocol. */
    OutboundFrame encode(FanoutMessage message) {
        tap.outbound(message.frame());
        return message.encoded(subprotocol);
    }

    /** Logs a frame from the client while debug mode targets this connection. */
    void received(ClientFrame frame) {
        tap.inbound(frame);
    }

    /** Asks the session to close the connection (the first close wins). */
    void closeConnection(ErrorCode code, String reason) {
        closeTarget.close(code, reason);
    }

    /**
     * Queues the close frame after the frames already queued, or instead of them when {@code dropPending}; the
     * reason is cut to what a close frame carries.
     */
    void writeClose(int code, String reason, boolean dropPending) {
        queue.close(code, CloseReason.truncate(reason), dropPending);
    }

    /** Stops the writer without writing anything more; {@code interruptWrite} also breaks a blocked write. */
    void terminate(boolean interruptWrite) {
        queue.terminate(interruptWrite);
    }

    /** Tears the transport down now, without a close handshake. */
    void abort() {
        sink.abort();
        queue.terminate(true);
    }
}
