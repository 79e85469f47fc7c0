package io.switchboard.client;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the delay before attempt {@code n} (0-based) is uniform in
 * {@code [0, min(max, initial * 2^n)]}, so a gateway restart does not bring every client back at once. The cap is
 * Resilience4j's exponential {@link IntervalFunction} (whole milliseconds: an initial delay below one millisecond
 * counts as one); the jitter is drawn here, from the injected generator, so a seeded client is reproducible.
 * Not thread-safe (the random generator may not be).
 */
final class Backoff {
    private final IntervalFunction caps;
    private final RandomGenerator random;

    Backoff(Duration initial, Duration max, RandomGenerator random) {
        this.caps = IntervalFunction.ofExponentialBackoff(Math.max(1, initial.toMillis()), 2,
                Math.max(1, max.toMillis()));
        this.random = random;
    }

    /** The upper bound of the delay before attempt {@code attempt}. */
    Duration cap(int attempt) {
        // IntervalFunction counts attempts from 1; past 62 doublings every cap is the maximum.
        return Duration.ofMillis(caps.apply(Math.min(attempt, 62) + 1));
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
