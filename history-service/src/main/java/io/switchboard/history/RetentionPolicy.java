package io.switchboard.history;

import java.time.Duration;
import java.util.Objects;

/**
 * How long and how many messages a room keeps. Immutable.
 *
 * @param maxAge      messages whose stored time is older than this are deleted
 * @param maxMessages at most this many messages are kept per room (the oldest go first)
 */
public record RetentionPolicy(Duration maxAge, long maxMessages) {
    public RetentionPolicy {
        Objects.requireNonNull(maxAge, "maxAge");
        if (!maxAge.isPositive()) {
            throw new IllegalArgumentException("max-age: " + maxAge + " (expected: > PT0S)");
        }
        if (maxMessages <= 0) {
            throw new IllegalArgumentException("max-messages: " + maxMessages + " (expected: > 0)");
        }
    }
}
