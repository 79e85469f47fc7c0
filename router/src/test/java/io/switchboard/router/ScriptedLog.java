package io.switchboard.router;

import io.switchboard.proto.internal.v1.Envelope;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A scripted {@link EnvelopeLog} for deterministic fault injection at the router's Kafka seam: it acks at
 * once (offsets counting up per room), holds appends until the test completes them, or fails them.
 */
final class ScriptedLog implements EnvelopeLog {
    enum Mode { ACK, HOLD, FAIL, THROW }

    record Append(String room, Envelope envelope, Instant timestamp, CompletableFuture<Stored> result) {
    }

    static final String EPOCH = "test-topic-id:0";

    private final List<Append> appends = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> offsets = new ConcurrentHashMap<>();
    private volatile Mode mode = Mode.ACK;
    private volatile Consumer<Envelope> beforeAppend = envelope -> { };
    private volatile boolean closed;

    void mode(Mode mode) {
        this.mode = mode;
    }

    /** Runs {@code hook} on the appending thread at the start of every append (before it is recorded). */
    void beforeAppend(Consumer<Envelope> hook) {
        this.beforeAppend = hook;
    }

    List<Append> appends() {
        return List.copyOf(appends);
    }

    boolean closed() {
        return closed;
    }

    @Override
    public CompletableFuture<Stored> append(String room, Envelope envelope, Instant timestamp) {
        beforeAppend.accept(envelope);
        Mode now = mode;
        if (now == Mode.THROW) {
            throw new IllegalStateException("scripted: producer closed");
        }
        CompletableFuture<Stored> result = new CompletableFuture<>();
        appends.add(new Append(room, envelope, timestamp, result));
        switch (now) {
            case ACK -> ack(result, room, timestamp);
            case FAIL -> result.completeExceptionally(
                    new org.apache.kafka.common.errors.TimeoutException("scripted: expired before ack"));
            default -> { }
        }
        return result;
    }

    /** Acks every held append. */
    void ackHeld() {
        appends.stream().filter(a -> !a.result().isDone()).forEach(a -> ack(a.result(), a.room(), a.timestamp()));
    }

    /** Fails every held append. */
    void failHeld() {
        appends.stream().filter(a -> !a.result().isDone()).forEach(a -> a.result().completeExceptionally(
                new org.apache.kafka.common.errors.NotEnoughReplicasException("scripted: not enough replicas")));
    }

    private void ack(CompletableFuture<Stored> result, String room, Instant timestamp) {
        long offset = offsets.computeIfAbsent(room, r -> new AtomicLong()).getAndIncrement();
        result.complete(new Stored(EPOCH, offset, timestamp));
    }

    @Override
    public void close(Duration timeout) {
        closed = true;
    }
}
