package io.switchboard.loadgen;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * What one worker observed during one {@link StepSpec}, recorded from its event-loop threads (deliveries,
 * acks) and its scheduler thread (sends). Latencies are microseconds from the intended send time, so a
 * publisher or server that falls behind shows as latency (no coordinated omission). Thread-safe.
 */
final class StepRecorder {
    /** The timeline covers at most this many seconds of a step; later publishes count in the totals only. */
    static final int MAX_TIMELINE_SECONDS = 600;

    private final StepSpec step;
    // Per second of intended time since the step's start, made at the second's first delivery.
    private final AtomicReferenceArray<Histogram> timeline;
    private final Recorder latency = new Recorder(3);
    private final Recorder warmupLatency = new Recorder(3);
    private final Recorder ackLatency = new Recorder(3);
    private final LongAdder delivered = new LongAdder();
    private final LongAdder arrivals = new LongAdder();
    private final LongAdder wireBytes = new LongAdder();
    private final LongAdder wireMessages = new LongAdder();
    private final LongAdder outOfOrder = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder sentAll = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder answeredAll = new LongAdder();
    private final LongAdder ackErrors = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder warmupErrors = new LongAdder();
    private final LongAdder lateSends = new LongAdder();
    private volatile long maxSendLagNanos;
    private volatile long lastArrival;
    private volatile String firstError;

    StepRecorder(StepSpec step) {
        this.step = step;
        this.lastArrival = step.end();
        this.timeline = new AtomicReferenceArray<>((int) Math.min(MAX_TIMELINE_SECONDS, step.seconds()));
    }

    StepSpec step() {
        return step;
    }

    /** A client received a WebSocket message of {@code bytes} on the wire (header included) at {@code now}. */
    void received(long now, long bytes) {
        if (now - step.warmupEnd() >= 0 && now - step.end() < 0) {
            wireBytes.add(bytes);
            wireMessages.increment();
        }
    }

    /**
     * A subscriber received a message whose payload says it was intended at {@code intended}; {@code inOrder}
     * false when the subscriber already saw a later one of the same publisher, {@code duplicate} when it saw
     * this one before (then it is not counted as delivered).
     */
    void delivery(long intended, long now, boolean inOrder, boolean duplicate) {
        lastArrival = now;
        if (duplicate) {
            duplicates.increment();
            return;
        }
        if (now - step.warmupEnd() >= 0 && now - step.end() < 0) {
            arrivals.increment();
        }
        long micros = Math.max(0, TimeUnit.NANOSECONDS.toMicros(now - intended));
        recordSecond(intended, micros);
        if (step.measured(intended)) {
            delivered.increment();
            latency.recordValue(micros);
            if (!inOrder) {
                outOfOrder.increment();
            }
        } else if (step.warmup(intended)) {
            warmupLatency.recordValue(micros);
        }
    }

    private void recordSecond(long intended, long micros) {
        long second = step.secondOf(intended);
        if (second < 0 || second >= timeline.length()) {
            return;
        }
        int i = (int) second;
        Histogram h = timeline.get(i);
        if (h == null) {
            timeline.compareAndSet(i, null, new SynchronizedHistogram(3));
            h = timeline.get(i);
        }
        h.recordValue(micros);
    }

    /** A publish intended at {@code intended} was written at {@code now}. */
    void sent(long intended, long now) {
        sentAll.increment();
        if (step.measured(intended)) {
            sent.increment();
        }
        long lag = now - intended;
        if (lag > TimeUnit.MILLISECONDS.toNanos(1)) {
            lateSends.increment();
        }
        if (lag > maxSendLagNanos) {
            maxSendLagNanos = lag; // racy maximum: one scheduler thread writes it
        }
    }

    /** The ack of a publish intended at {@code intended} arrived at {@code now}. */
    void ack(long intended, long now) {
        answeredAll.increment();
        if (step.measured(intended)) {
            acked.increment();
            ackLatency.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(now - intended)));
        }
    }

    /**
     * An error frame answered a publish intended at {@code intended}: counted as an error of the step when the
     * publish was measured, as a warm-up error otherwise.
     */
    void ackError(long intended, String error) {
        answeredAll.increment();
        if (step.measured(intended)) {
            ackErrors.increment();
            error(error);
        } else {
            warmupErrors.increment();
            if (firstError == null) {
                firstError = "(warm-up) " + error;
            }
        }
    }

    /** Any other error frame. */
    void error(String error) {
        errors.increment();
        if (firstError == null) {
            firstError = error;
        }
    }

    long lastArrival() {
        return lastArrival;
    }

    /** Publishes written during the whole step that have no answer yet. */
    long unanswered() {
        return sentAll.sum() - answeredAll.sum();
    }

    WorkerStats stats(int worker, long drops) {
        return new WorkerStats(worker, step.index(), sent.sum(), sentAll.sum(), acked.sum(), ackErrors.sum(),
                delivered.sum(), arrivals.sum(), outOfOrder.sum(), duplicates.sum(), errors.sum(), warmupErrors.sum(), lateSends.sum(),
                maxSendLagNanos / 1000, drops, firstError, encode(latency.getIntervalHistogram()),
                encode(warmupLatency.getIntervalHistogram()), encode(ackLatency.getIntervalHistogram()),
                encodedTimeline(), wireBytes.sum(), wireMessages.sum());
    }

    private List<String> encodedTimeline() {
        List<String> seconds = new ArrayList<>(timeline.length());
        for (int i = 0; i < timeline.length(); i++) {
            Histogram h = timeline.get(i);
            seconds.add(h == null ? "" : encode(h.copy()));
        }
        return seconds;
    }

    static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), n));
    }

    static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("not an encoded histogram", e);
        }
    }
}
