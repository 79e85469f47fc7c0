package io.switchboard.service;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;

/**
 * The waits between attempts of something that is not there yet (a topic, a partition's metadata) or not answering
 * now (a history read): Resilience4j's exponential {@link IntervalFunction}, starting at {@code initial}, multiplied
 * (by default doubled) after each failed attempt, capped at {@code max}. Whole milliseconds. The project's one
 * backoff: use it rather than a hand-written table of delays. Not thread-safe: one per retry loop.
 */
public final class RetryWaits {
    /**
     * Attempts are counted up to this, so the count never overflows: past this many doublings every wait is the cap
     * (for any initial wait of at least one millisecond); a smaller multiplier's waits stop growing here.
     */
    private static final int MAX_ATTEMPT = 64;

    private final IntervalFunction intervals;
    private int attempt = 1;

    /**
     * Doubling waits.
     *
     * @throws IllegalArgumentException when {@code initial} is under a millisecond or {@code max} below it
     */
    public RetryWaits(Duration initial, Duration max) {
        this(initial, 2, max);
    }

    /**
     * Waits multiplied by {@code multiplier} after each failed attempt.
     *
     * @throws IllegalArgumentException when {@code initial} is under a millisecond, {@code max} below it, or
     *                                  {@code multiplier} below 1
     */
    public RetryWaits(Duration initial, double multiplier, Duration max) {
        if (initial.toMillis() < 1 || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("waits: " + initial + ".." + max
                    + " (expected: 1 ms <= initial <= max)");
        }
        if (!(multiplier >= 1)) {
            throw new IllegalArgumentException("multiplier: " + multiplier + " (expected: >= 1)");
        }
        this.intervals = IntervalFunction.ofExponentialBackoff(initial, multiplier, max);
    }

    /** How long to wait before the next attempt. */
    public Duration current() {
        return Duration.ofMillis(intervals.apply(attempt));
    }

    /** After a failed attempt: the next wait doubles, up to the cap. */
    public void advance() {
        attempt = Math.min(attempt + 1, MAX_ATTEMPT);
    }

    /** After a successful attempt: the next failure waits {@code initial} again. */
    public void reset() {
        attempt = 1;
    }
}
