package io.switchboard.service;

import java.time.Duration;
import java.util.Objects;

/**
 * Value checks for config builders, failing in the one message shape every tier uses:
 * {@code "<key>: <value> (expected: <rule>)"}. Stateless, hence thread-safe.
 */
public final class ConfigChecks {
    private ConfigChecks() {
    }

    /** @throws IllegalArgumentException {@code "<key>: <value> (expected: <expected>)"} unless {@code ok} */
    public static void check(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: " + expected + ")");
        }
    }

    /** Returns {@code value} when it is longer than zero. */
    public static Duration positive(String key, Duration value) {
        Objects.requireNonNull(value, key);
        check(value.isPositive(), key, value, "> PT0S");
        return value;
    }

    /** Returns {@code value} when it is not negative. */
    public static Duration nonNegative(String key, Duration value) {
        Objects.requireNonNull(value, key);
        check(!value.isNegative(), key, value, ">= PT0S");
        return value;
    }
}
