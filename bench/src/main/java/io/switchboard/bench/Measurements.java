package io.switchboard.bench;

import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.WsTestClient;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one run observed, recorded from many client I/O threads at once. Latency samples and deliveries are
 * kept only for messages whose intended send time lies in the measurement window (so warmup is excluded and
 * late deliveries of in-window messages still count); throughput counts arrivals during the window. Errors and
 * closes are counted over the whole run, warmup included. Thread-safe.
 */
final class Measurements {
    /** Close code of a reader the server dropped for not keeping up (protocol: SLOW_CONSUMER). */
    static final int SLOW_CONSUMER = 3001;
    private static final int KEPT_PROBLEMS = 5;

    private final Recorder latencyMicros = new Recorder(3);
    private final LongAdder sent = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder expected = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder arrivals = new LongAdder();
    private final LongAdder errorFrames = new LongAdder();
    private final LongAdder failedSends = new LongAdder();
    private final LongAdder slowConsumerCloses = new LongAdder();
    private final LongAdder otherCloses = new LongAdder();
    // guarded by problems
    private final List<String> problems = new ArrayList<>();
    // Nothing is in the window until it is set.
    private volatile long windowStart = Long.MAX_VALUE;
    private volatile long windowEnd = Long.MAX_VALUE;
    private volatile boolean closing;

    /** Sets the measurement window in {@link System#nanoTime()} terms: [start, end). */
    void window(long start, long end) {
        windowEnd = end;
        windowStart = start;
    }

    boolean inWindow(long nanoTime) {
        return nanoTime - windowStart >= 0 && nanoTime - windowEnd < 0;
    }

    /** A frame received by a subscriber. */
    void onSubscriberFrame(ServerFrame frame) {
        long now = System.nanoTime();
        if (frame.hasMessage()) {
            ByteBuffer payload = frame.getMessage().getPayload().asReadOnlyByteBuffer();
            if (payload.remaining() < FanoutSpec.TIMESTAMP_BYTES) {
                problem("message without a send time: " + frame.getMessage().getId());
                errorFrames.increment();
                return;
            }
            long intended = payload.getLong(payload.position());
            if (inWindow(now)) {
                arrivals.increment();
            }
            if (inWindow(intended)) {
                delivered.increment();
                latencyMicros.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(now - intended)));
            }
        } else if (frame.hasError()) {
            errorFrames.increment();
            problem("subscriber got " + frame.getError());
        }
    }

    /** A frame received by a publisher whose in-window publishes have request ids from {@code firstInWindow}. */
    void onPublisherFrame(ServerFrame frame, int firstInWindow) {
        if (frame.hasAck()) {
            Ack ack = frame.getAck();
            if (firstInWindow > 0 && ack.getRequestId() >= firstInWindow) {
                acked.increment();
            }
        } else if (frame.hasError()) {
            errorFrames.increment();
            problem("publisher got " + frame.getError());
        }
    }

    /** A publish of a room with {@code subscribers} subscribers was written, intended at {@code intended}. */
    void sent(long intended, int subscribers) {
        if (inWindow(intended)) {
            sent.increment();
            expected.add(subscribers);
        }
    }

    /** A publish could not be written. */
    void sendFailed(RuntimeException e) {
        failedSends.increment();
        problem("publish failed: " + e);
    }

    /** A connection ended; ignored once the run itself is closing its clients. */
    void closed(WsTestClient.Closed how) {
        if (closing) {
            return;
        }
        if (how.code() == SLOW_CONSUMER) {
            slowConsumerCloses.increment();
        } else {
            otherCloses.increment();
        }
        problem("connection closed by the server: " + how);
    }

    /** From now on closes are the run's own doing. */
    void closing() {
        closing = true;
    }

    long expected() {
        return expected.sum();
    }

    long delivered() {
        return delivered.sum();
    }

    long sent() {
        return sent.sum();
    }

    long acked() {
        return acked.sum();
    }

    /** The figures of the run; {@code windowSeconds} is the length of the measurement window. */
    FanoutResult result(String target, FanoutSpec spec, double windowSeconds) {
        Histogram h = latencyMicros.getIntervalHistogram();
        List<String> kept;
        synchronized (problems) {
            kept = List.copyOf(problems);
        }
        return new FanoutResult(target, spec.clients(), spec.rooms(), spec.rate(), sent.sum(), acked.sum(),
                expected.sum(), delivered.sum(), arrivals.sum() / windowSeconds,
                millis(h.getValueAtPercentile(50)), millis(h.getValueAtPercentile(90)),
                millis(h.getValueAtPercentile(99)), millis(h.getMaxValue()), h.getTotalCount(),
                errorFrames.sum() + failedSends.sum(), slowConsumerCloses.sum(), otherCloses.sum(), kept);
    }

    private static double millis(long micros) {
        return micros / 1000.0;
    }

    private void problem(String what) {
        synchronized (problems) {
            if (problems.size() < KEPT_PROBLEMS) {
                problems.add(what);
            }
        }
    }
}
