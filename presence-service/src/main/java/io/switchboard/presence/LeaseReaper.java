package io.switchboard.presence;

import io.switchboard.presence.state.PresenceState;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Expires gateways whose lease passed, and members whose leave grace passed, on its own named thread
 * ({@code presence-lease-reaper}) every reap interval; the delta batcher turns that into leave records.
 * Thread-safe; started once, closed once.
 */
final class LeaseReaper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LeaseReaper.class.getName());

    private final PresenceState state;
    private final Duration interval;
    private final IntConsumer expired;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("presence-lease-reaper").daemon(true).factory());

    LeaseReaper(PresenceState state, Duration interval, IntConsumer expired) {
        this.state = Objects.requireNonNull(state, "state");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.expired = Objects.requireNonNull(expired, "expired");
    }

    void start() {
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::reap, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** One pass; returns the gateways expired. */
    int reap() {
        try {
            state.expireLeaveGraces();
            int n = state.expireLeases();
            if (n > 0) {
                expired.accept(n);
                LOG.log(Level.INFO, n + " gateway lease(s) expired: their connections went offline");
            }
            return n;
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and keep reaping.
            LOG.log(Level.ERROR, "lease reaping failed", e);
            return 0;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
