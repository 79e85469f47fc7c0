package io.switchboard.gateway.drain;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Closes a gateway's connections a batch at a time, like Phoenix's socket drainer: every
 * {@code batchInterval}, the next {@code batchSize} connections get a Drain frame; each is closed with 3000
 * SERVER_SHUTDOWN as soon as its in-flight publishes have been answered (checked again on every tick). At 80 %
 * of the timeout pacing stops and everything still open is closed at once, so the rest of the budget is left for
 * the close handshakes. The caller stops admitting new connections and publishes before it starts the drain;
 * connections that still appear (a handshake that was already past the filter) are drained like the others.
 *
 * <p>Lifecycle: {@link #start()} once; the returned future completes with the report when every connection was
 * asked to close; {@link #cancel()} stops the ticks early. Thread-safe: the drain's state is confined to its
 * one named tick thread; the counters {@link #progress()} reads are volatile.
 */
public final class PacedDrain {
    private static final Logger LOG = Logger.getLogger(PacedDrain.class.getName());

    /** An announced connection waiting for its publishes' answers. */
    private record Pending(DrainTarget target, int inFlightAtAnnounce) {
    }

    private final DrainSettings settings;
    private final Supplier<? extends List<? extends DrainTarget>> connections;
    private final IntSupplier openConnections;
    private final Clock clock;
    private final CompletableFuture<DrainReport> done = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final ScheduledExecutorService ticker;

    // Confined to the tick thread.
    private final Set<DrainTarget> announced = new HashSet<>();
    private final List<Pending> pending = new ArrayList<>();
    private int forced;
    private int acksCompleted;
    private int acksCutShort;
    private int batches;
    private long forceAtNanos;

    // Written by the tick thread, read by progress().
    private volatile Instant startedAt;
    private volatile long startNanos;
    private volatile long endNanos;
    private volatile int closed;

    /**
     * @param connections     the live connections now (called on every tick)
     * @param openConnections connections not yet gone (for progress: closed ones leave once their close completed)
     */
    public PacedDrain(DrainSettings settings, Supplier<? extends List<? extends DrainTarget>> connections,
                      IntSupplier openConnections, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.openConnections = Objects.requireNonNull(openConnections, "openConnections");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-gateway-drain");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts ticking: the first batch at once, then one every batch interval.
     *
     * @return completes with the report once every connection was asked to close
     * @throws IllegalStateException when called twice
     */
    public CompletableFuture<DrainReport> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("Already started");
        }
        startedAt = clock.instant();
        startNanos = System.nanoTime();
        forceAtNanos = startNanos + settings.forceAfter().toNanos();
        long interval = settings.batchInterval().toNanos();
        // One schedule only: the first tick may already finish the drain and shut the ticker down. The force
        // point is acted on by the first tick at or after it, at most one batch interval late.
        ticker.scheduleWithFixedDelay(this::tick, 0, interval, TimeUnit.NANOSECONDS);
        return done;
    }

    /** The report's future (completes when the drain is done). */
    public CompletableFuture<DrainReport> completion() {
        return done;
    }

    /** Stops ticking; connections not yet closed stay open (the caller aborts them). Idempotent. */
    public void cancel() {
        ticker.shutdownNow();
        done.cancel(false);
    }

    /** The state for {@code GET /admin/drain}. */
    public DrainProgress progress() {
        Instant at = startedAt;
        if (at == null) {
            return DrainProgress.serving(openConnections.getAsInt());
        }
        long end = done.isDone() ? endNanos : System.nanoTime();
        return new DrainProgress(done.isDone() ? "drained" : "draining", openConnections.getAsInt(), closed,
                Optional.of(at), Duration.ofNanos(end - startNanos).toMillis());
    }

    private void tick() {
        if (done.isDone()) {
            return;
        }
        try {
            boolean force = System.nanoTime() - forceAtNanos >= 0;
            settlePending(force);
            int budget = force ? Integer.MAX_VALUE : settings.batchSize();
            int announcedNow = 0;
            boolean more = false;
            for (DrainTarget t : connections.get()) {
                if (announced.contains(t)) {
                    continue;
                }
                if (announcedNow == budget) {
                    more = true;
                    break;
                }
                announced.add(t);
                announcedNow++;
                t.announce(reconnectWithinMs());
                int inFlight = t.publishesInFlight();
                if (inFlight == 0 || force) {
                    close(t, 0, inFlight, force);
                } else {
                    pending.add(new Pending(t, inFlight));
                }
            }
            if (announcedNow > 0 && !force) {
                batches++;
            }
            if (!more && pending.isEmpty()) {
                finish();
            }
        } catch (RuntimeException e) {
            // A failing tick must not leave the drain hanging: close the rest and report.
            LOG.log(Level.SEVERE, "Drain tick failed; closing the remaining connections at once", e);
            for (DrainTarget t : connections.get()) {
                if (announced.add(t)) {
                    t.close();
                    closed++;
                }
            }
            pending.forEach(p -> p.target.close());
            pending.clear();
            finish();
        }
    }

    private void settlePending(boolean force) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            int left = p.target.publishesInFlight();
            if (left == 0 || force) {
                it.remove();
                close(p.target, p.inFlightAtAnnounce, left, force);
            }
        }
    }

    private void close(DrainTarget t, int inFlightAtAnnounce, int stillInFlight, boolean force) {
        t.close();
        closed++;
        acksCompleted += Math.max(0, inFlightAtAnnounce - stillInFlight);
        if (force) {
            forced++;
            acksCutShort += stillInFlight;
        }
    }

    private void finish() {
        endNanos = System.nanoTime();
        DrainReport report = new DrainReport(startedAt, Duration.ofNanos(endNanos - startNanos), closed, forced,
                acksCompleted, acksCutShort, batches);
        ticker.shutdown();
        done.complete(report);
    }

    private int reconnectWithinMs() {
        return (int) settings.reconnectWindow().toMillis();
    }
}
