package io.switchboard.service;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;

/**
 * The waits between attempts of something that is not there yet (a topic, a partition's metadata): Resilience4j's
 * exponential {@link IntervalFunction}, starting at {@code initial}, doubling after each failed attempt, capped at
 * {@code max}. Whole milliseconds. Not thread-safe: one per retry loop.
 */
public final class RetryWaits {
    /** Past this many doublings every wait is the cap (for any initial wait of at least one millisecond). */
    private static final int MAX_ATTEMPT = 64;

    private final IntervalFunction intervals;
    private int attempt = 1;

    /** @throws IllegalArgumentException when {@code initial} is under a millisecond or {@code max} below it */
    public RetryWaits(Duration initial, Duration max) {
        if (initial.toMillis() < 1 || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("waits: " + initial + ".." + max
                    + " (expected: 1 ms <= initial <= max)");
        }
        this.intervals = IntervalFunction.ofExponentialBackoff(initial, 2, max);
    }

    /** How long to wait before the next attempt. */
    public Duration current() {
        return Duration.ofMillis(intervals.apply(attempt));
    }

    /** After a failed attempt: the next wait doubles, up to the cap. */
    public void advance() {
        attempt = Math.min(attempt + 1, MAX_ATTEMPT);
    }
}
