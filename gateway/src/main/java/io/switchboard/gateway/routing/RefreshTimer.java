package io.switchboard.gateway.routing;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs router discovery's DNS lookups again and again. The real one is a daemon thread; a test passes its own
 * to run lookups when it chooses. Implementations are thread-safe.
 */
@FunctionalInterface
public interface RefreshTimer {
    /**
     * Runs {@code lookup} every {@code interval}, the first time one interval from now, until the returned handle
     * is closed. {@code lookup} never throws.
     */
    AutoCloseable every(Duration interval, Runnable lookup);

    /** One daemon thread, {@code switchboard-gateway-router-dns}, per discovery. */
    static RefreshTimer daemonThread() {
        return (interval, lookup) -> {
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "switchboard-gateway-router-dns");
                t.setDaemon(true);
                t.setUncaughtExceptionHandler((th, e) -> Logger.getLogger(RefreshTimer.class.getName())
                        .log(Level.SEVERE, "Router discovery thread died", e));
                return t;
            });
            scheduler.scheduleWithFixedDelay(lookup, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
            return scheduler::shutdownNow;
        };
    }
}
