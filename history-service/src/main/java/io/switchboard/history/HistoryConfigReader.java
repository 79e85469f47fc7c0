package io.switchboard.history;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Maps Helidon {@link Config} onto {@link HistoryConfig.Builder}: the one place that knows the key names. Stateless. */
final class HistoryConfigReader {
    private static final System.Logger LOG = System.getLogger(HistoryConfig.class.getName());
    private static final String NAMESPACES = "retention.namespaces.";

    /** Every key under {@code history}, relative to it (namespace overrides are matched separately). */
    static final Set<String> HISTORY_KEYS = Set.of("id", "grpc.port", "metrics.port", "data-dir", "group-id",
            "retention.max-age", "retention.max-messages", "retention.sweep-interval", "max-read-messages",
            "max-read-wait", "startup-timeout", "shutdown-grace");

    private HistoryConfigReader() {
    }

    static HistoryConfig read(Config root) {
        Config history = root.get("history");
        Config kafka = root.get("kafka");
        unknownKeys(root).forEach(key -> LOG.log(Level.WARNING, "unknown config key " + key + " (ignored)"));

        HistoryConfig.Builder b = HistoryConfig.builder();
        string(history, "id").ifPresent(b::id);
        integer(history, "grpc.port").ifPresent(b::grpcPort);
        integer(history, "metrics.port").ifPresent(b::metricsPort);
        string(history, "data-dir").map(Path::of).ifPresent(b::dataDir);
        string(history, "group-id").ifPresent(b::groupId);
        duration(history, "retention.max-age").ifPresent(b::maxAge);
        value(history, "retention.max-messages", "an integer", s -> Long.parseLong(s.strip())).ifPresent(b::maxMessages);
        duration(history, "retention.sweep-interval").ifPresent(b::sweepInterval);
        integer(history, "max-read-messages").ifPresent(b::maxReadMessages);
        duration(history, "max-read-wait").ifPresent(b::maxReadWait);
        duration(history, "startup-timeout").ifPresent(b::startupTimeout);
        duration(history, "shutdown-grace").ifPresent(b::shutdownGrace);
        for (String key : relativeKeys(history)) {
            if (key.startsWith(NAMESPACES) && key.endsWith(".max-age")) {
                String ns = key.substring(NAMESPACES.length(), key.length() - ".max-age".length());
                duration(history, key).ifPresent(d -> b.namespaceMaxAge(ns, d));
            } else if (key.startsWith(NAMESPACES) && key.endsWith(".max-messages")) {
                String ns = key.substring(NAMESPACES.length(), key.length() - ".max-messages".length());
                value(history, key, "an integer", s -> Long.parseLong(s.strip()))
                        .ifPresent(n -> b.namespaceMaxMessages(ns, n));
            }
        }

        string(kafka, "bootstrap-servers").ifPresent(b::bootstrapServers);
        string(kafka, "topic.name").ifPresent(b::topic);
        Config consumer = kafka.get("consumer");
        String prefix = consumer.key().toString() + ".";
        consumer.traverse().filter(Config::hasValue).forEach(node -> b.consumerProperty(
                node.key().toString().substring(prefix.length()), node.asString().get()));
        return b.build();
    }

    /** Full keys of the values under {@code history} that the service does not know. */
    static List<String> unknownKeys(Config root) {
        return relativeKeys(root.get("history")).stream()
                .filter(key -> !HISTORY_KEYS.contains(key) && !(key.startsWith(NAMESPACES)
                        && (key.endsWith(".max-age") || key.endsWith(".max-messages"))))
                .map(key -> "history." + key)
                .sorted()
                .toList();
    }

    private static List<String> relativeKeys(Config history) {
        String prefix = history.key().toString() + ".";
        return history.traverse().filter(Config::hasValue)
                .map(node -> node.key().toString().substring(prefix.length()))
                .toList();
    }

    private static Optional<String> string(Config parent, String key) {
        return value(parent, key, "a string", Function.identity());
    }

    private static Optional<Integer> integer(Config parent, String key) {
        return value(parent, key, "an integer", s -> Integer.parseInt(s.strip()));
    }

    private static Optional<Duration> duration(Config parent, String key) {
        return value(parent, key, "an ISO-8601 duration such as PT30S or P7D", s -> Duration.parse(s.strip()));
    }

    private static <T> Optional<T> value(Config parent, String key, String expected, Function<String, T> parse) {
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
}
