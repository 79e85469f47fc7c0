package io.switchboard.service;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Typed reads of optional config values, failing in one message shape that names the key:
 * {@code router.dedup.ttl: '10m' (expected: an ISO-8601 duration such as PT30S)}. Stateless.
 */
public final class ConfigValues {
    private ConfigValues() {
    }

    public static Optional<String> string(Config parent, String key) {
        return value(parent, key, "a string", Function.identity());
    }

    public static Optional<Integer> integer(Config parent, String key) {
        return value(parent, key, "an integer", s -> Integer.parseInt(s.strip()));
    }

    public static Optional<Long> longValue(Config parent, String key) {
        return value(parent, key, "an integer", s -> Long.parseLong(s.strip()));
    }

    public static Optional<Duration> duration(Config parent, String key) {
        return value(parent, key, "an ISO-8601 duration such as PT30S", s -> Duration.parse(s.strip()));
    }

    public static Optional<Boolean> bool(Config parent, String key) {
        return value(parent, key, "true or false", raw -> switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new NumberFormatException(raw);
        });
    }

    /**
     * The value at {@code key} under {@code parent} parsed by {@code parse}, which signals a malformed value with
     * {@link NumberFormatException} or {@link DateTimeParseException}; empty when absent.
     */
    public static <T> Optional<T> value(Config parent, String key, String expected, Function<String, T> parse) {
        Config node = parent.get(key);
        if (!node.hasValue()) {
            return Optional.empty();
        }
        String raw;
        try {
            raw = node.asString().get();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(node.key() + ": (expected: " + expected + ")", e);
        }
        try {
            return Optional.of(parse.apply(raw));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(node.key() + ": '" + raw + "' (expected: " + expected + ")", e);
        }
    }

    /** Every value under {@code parent}, keyed relative to it: {@code kafka.producer.batch.size} becomes {@code batch.size}. */
    public static Map<String, String> leaves(Config parent) {
        String prefix = parent.key().toString() + ".";
        Map<String, String> leaves = new LinkedHashMap<>();
        parent.traverse().filter(Config::hasValue)
                .forEach(node -> leaves.put(node.key().toString().substring(prefix.length()), node.asString().get()));
        return leaves;
    }
}
