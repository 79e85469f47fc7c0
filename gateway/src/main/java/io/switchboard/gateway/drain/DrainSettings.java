package io.switchboard.gateway.drain;

import java.time.Duration;
import java.util.Objects;

/**
 * How a drain is paced: {@code batchSize} connections every {@code batchInterval}; whatever is still open at
 * {@link #FORCE_FRACTION} of {@code timeout} is closed at once; clients are told to reconnect within
 * {@code reconnectWindow}. Immutable.
 *
 * @param timeout         the whole drain's budget ({@code gateway.drain-timeout}); zero closes everything at once
 * @param batchSize       connections announced and closed per batch ({@code gateway.drain.batch-size})
 * @param batchInterval   time between batches ({@code gateway.drain.batch-interval})
 * @param reconnectWindow {@code Drain.reconnect_within_ms} ({@code gateway.drain.reconnect-window})
 */
public record DrainSettings(Duration timeout, int batchSize, Duration batchInterval, Duration reconnectWindow) {
    /** Share of the timeout after which pacing stops and every remaining connection is closed at once. */
    public static final double FORCE_FRACTION = 0.8;

    public DrainSettings {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(batchInterval, "batchInterval");
        Objects.requireNonNull(reconnectWindow, "reconnectWindow");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("gateway.drain-timeout: " + timeout + " (expected: >= 0)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("gateway.drain.batch-size: " + batchSize + " (expected: >= 1)");
        }
        if (batchInterval.isNegative() || batchInterval.isZero()) {
            throw new IllegalArgumentException("gateway.drain.batch-interval: " + batchInterval + " (expected: > 0)");
        }
        if (reconnectWindow.isNegative() || reconnectWindow.isZero() || reconnectWindow.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "gateway.drain.reconnect-window: " + reconnectWindow + " (expected: > 0 and < 24 days)");
        }
    }

    /** When pacing stops, counted from the drain's start. */
    Duration forceAfter() {
        return Duration.ofNanos((long) (timeout.toNanos() * FORCE_FRACTION));
    }
}
