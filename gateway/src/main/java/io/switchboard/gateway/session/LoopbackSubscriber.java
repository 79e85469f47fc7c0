package io.switchboard.gateway.session;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.logging.Logger;

import io.switchboard.gateway.debug.FrameTap;
import io.switchboard.gateway.fanout.FanoutMessage;
import io.switchboard.gateway.fanout.Subscriber;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.ws.FrameSink;
import io.switchboard.gateway.ws.OutboundFrame;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.gateway.ws.WriterLanes;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * A subscriber inside the gateway that takes a connection's write path without a connection: each message is
 * encoded in its subprotocol and queued on a session's outbound queue, whose writer hands it to a sink that
 * discards it. The start-up warm-up delivers through it so that the encoding, the queue and the writer are compiled
 * before clients arrive. It counts the messages {@code counted} accepts.
 *
 * <p>Thread-safe: {@link #deliver} on the fan-out thread, {@link #reply} on any thread, the counts from any thread.
 */
public final class LoopbackSubscriber implements Subscriber, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LoopbackSubscriber.class.getName());

    private final SessionOutput output;
    private final Predicate<FanoutMessage> counted;
    private final AtomicLong delivered = new AtomicLong();

    /**
     * @param name    names the writer (as a session id does)
     * @param counted the deliveries {@link #delivered()} counts (the others are written all the same)
     * @param lanes   the gateway's writer lanes, or null (a writer thread per queue, the default)
     */
    public LoopbackSubscriber(String name, Subprotocol subprotocol, long maxQueueBytes, GatewayMetrics metrics,
                              WriterLanes lanes, Predicate<FanoutMessage> counted) {
        this.counted = counted;
        this.output = new SessionOutput(name, subprotocol, new DiscardingSink(), maxQueueBytes, metrics, lanes,
                FrameTap.NONE);
        output.closeWith((code, reason) -> {
            LOG.fine(() -> name + " closed " + code + ": " + reason);
            output.terminate(false);
        });
        output.start();
    }

    @Override
    public void deliver(FanoutMessage message) {
        output.enqueue(output.encode(message));
        if (counted.test(message)) {
            delivered.incrementAndGet();
        }
    }

    /** Encodes and queues a frame for the (absent) client, as a session queues an Ack. */
    public void reply(ServerFrame frame) {
        output.send(frame);
    }

    /** Deliveries {@code counted} accepted so far. */
    public long delivered() {
        return delivered.get();
    }

    /** Stops the writer; whatever is still queued is dropped. */
    @Override
    public void close() {
        output.terminate(false);
    }

    /** Drops what the writer hands it, as a socket would take it. */
    private static final class DiscardingSink implements FrameSink {
        @Override
        public void send(OutboundFrame frame) {
        }

        @Override
        public void send(List<OutboundFrame> frames) {
        }

        @Override
        public void close(int code, String reason) {
        }

        @Override
        public void abort() {
        }
    }
}
