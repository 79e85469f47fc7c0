package io.switchboard.presence;

import io.switchboard.presence.kafka.PresenceSink;
import io.switchboard.presence.state.PresenceState;
import io.switchboard.proto.internal.v1.PresenceRecord;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every {@code presence.delta-interval}, on its own named thread ({@code presence-delta-flusher}), takes the
 * interval's records from the state and hands them to the sink: the one write path to the presence topic.
 * The state's lock is released before the sink is called, so Kafka never slows reports down. Thread-safe;
 * started once, closed once (closing runs a last flush).
 */
final class DeltaFlusher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DeltaFlusher.class.getName());

    private final PresenceState state;
    private final PresenceSink sink;
    private final Duration interval;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("presence-delta-flusher").daemon(true).factory());

    DeltaFlusher(PresenceState state, PresenceSink sink, Duration interval) {
        this.state = Objects.requireNonNull(state, "state");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.interval = Objects.requireNonNull(interval, "interval");
    }

    void start() {
        long millis = interval.toMillis();
        scheduler.scheduleAtFixedRate(this::flush, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** One flush; returns the records handed to the sink. */
    int flush() {
        try {
            List<PresenceRecord> records = state.drainDeltas();
            records.forEach(sink::write);
            return records.size();
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and keep flushing.
            LOG.log(Level.ERROR, "presence delta flush failed", e);
            return 0;
        }
    }

    /** Stops the schedule, then flushes what the last interval gathered (on the caller's thread). */
    @Override
    public void close() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        flush();
    }
}
