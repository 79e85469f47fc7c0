package io.switchboard.drill;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * How long each client took to be live again after a fault: from the fault's instant to the client's first
 * successful operation after it (an ack for a publisher, a delivered message for a subscriber). Clients the
 * fault did not touch recover at their next operation, so the figures are "time until the whole fleet works
 * again", not only the disrupted part. Thread-safe.
 */
public final class RecoveryTimes {
    private final InstantSource clock;
    private final Set<String> clients = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> recovered = new ConcurrentHashMap<>();
    private volatile Instant fault;

    public RecoveryTimes(InstantSource clock) {
        this.clock = clock;
    }

    /** Registers a client whose recovery is measured. */
    public void track(String client) {
        clients.add(client);
    }

    /** Marks the fault: recovery is measured from now; earlier successes no longer count. */
    public void faultInjected() {
        recovered.clear();
        fault = clock.instant();
    }

    /** A client's successful operation; the first one after the fault is its recovery. */
    public void success(String client) {
        if (fault != null) {
            recovered.computeIfAbsent(client, c -> clock.instant());
        }
    }

    /** True when every tracked client has succeeded since the fault (use with Awaitility). */
    public boolean allRecovered() {
        return fault != null && recovered.keySet().containsAll(clients);
    }

    /** Clients that have not succeeded since the fault. */
    public Set<String> notRecovered() {
        Set<String> missing = ConcurrentHashMap.newKeySet();
        missing.addAll(clients);
        missing.removeAll(recovered.keySet());
        return missing;
    }

    /** Recovery-time percentiles over the clients that recovered. */
    public Summary summary() {
        return summary(millis(), clients.size());
    }

    /** Each recovered client's time from the fault until it was live again, in milliseconds (unordered). */
    public List<Long> millis() {
        Instant at = fault;
        if (at == null) {
            throw new IllegalStateException("no fault injected");
        }
        return recovered.values().stream().map(t -> Math.max(0, Duration.between(at, t).toMillis())).toList();
    }

    /** Percentiles of {@code millis} (recovery times of several loads merged) out of {@code clients} tracked. */
    public static Summary summary(List<Long> millis, int clients) {
        Histogram histogram = new Histogram(3_600_000L, 3);
        millis.forEach(histogram::recordValue);
        return new Summary(millis.size(), clients, histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(99), histogram.getMaxValue());
    }

    /** Recovery figures in milliseconds. */
    public record Summary(int recoveredClients, int clients, long p50Millis, long p99Millis, long maxMillis) {
    }
}
