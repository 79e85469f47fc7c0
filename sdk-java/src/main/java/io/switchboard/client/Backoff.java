package io.switchboard.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the delay before attempt {@code n} (0-based) is uniform in
 * {@code [0, min(max, initial * 2^n)]}, so a gateway restart does not bring every client back at once.
 * Not thread-safe (the random generator may not be).
 */
final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final RandomGenerator random;

    Backoff(Duration initial, Duration max, RandomGenerator random) {
        this.initial = initial;
        this.max = max;
        this.random = random;
    }

    /** The upper bound of the delay before attempt {@code attempt}. */
    Duration cap(int attempt) {
        long initialNanos = initial.toNanos();
        long maxNanos = max.toNanos();
        int shift = Math.min(attempt, 62);
        long capped = initialNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, initialNanos << shift);
        return Duration.ofNanos(capped);
    }

    /** A random delay in {@code [0, cap(attempt)]}. */
    Duration delay(int attempt) {
        long cap = cap(attempt).toNanos();
        return Duration.ofNanos(random.nextLong(cap + 1));
    }

    /** A random delay in {@code [0, bound)}, e.g. within a Drain frame's reconnect_within_ms. */
    Duration uniform(Duration bound) {
        long nanos = bound.toNanos();
        return nanos <= 0 ? Duration.ZERO : Duration.ofNanos(random.nextLong(nanos));
    }
}
