package io.switchboard.router;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Maps Helidon {@link Config} onto {@link RouterConfig.Builder}: one place that knows the key names.
 * Stateless, hence thread-safe.
 */
final class RouterConfigReader {
    private static final System.Logger LOG = System.getLogger(RouterConfig.class.getName());

    /** Every key under {@code router}, relative to it; anything else there is reported as unknown. */
    static final Set<String> ROUTER_KEYS = Set.of(
            "id", "grpc.port", "metrics.port", "max-payload-bytes", "max-in-flight", "dedup.max-entries",
            "dedup.ttl", "startup-timeout", "shutdown-grace", "kafka.delivery-timeout", "kafka.linger",
            "kafka.max-block");

    private RouterConfigReader() {
    }

    static RouterConfig read(Config root) {
        Config router = root.get("router");
        Config kafka = root.get("kafka");
        unknownKeys(root).forEach(key -> LOG.log(Level.WARNING, "unknown config key " + key + " (ignored)"));

        RouterConfig.Builder b = RouterConfig.builder();
        string(router, "id").ifPresent(b::id);
        integer(router, "grpc.port").ifPresent(b::grpcPort);
        integer(router, "metrics.port").ifPresent(b::metricsPort);
        integer(router, "max-payload-bytes").ifPresent(b::maxPayloadBytes);
        integer(router, "max-in-flight").ifPresent(b::maxInFlight);
        value(router, "dedup.max-entries", "an integer", Long::parseLong).ifPresent(b::dedupMaxEntries);
        duration(router, "dedup.ttl").ifPresent(b::dedupTtl);
        duration(router, "startup-timeout").ifPresent(b::startupTimeout);
        duration(router, "shutdown-grace").ifPresent(b::shutdownGrace);
        duration(router, "kafka.delivery-timeout").ifPresent(b::deliveryTimeout);
        duration(router, "kafka.linger").ifPresent(b::linger);
        duration(router, "kafka.max-block").ifPresent(b::maxBlock);

        string(kafka, "bootstrap-servers").ifPresent(b::bootstrapServers);
        string(kafka, "topic.name").ifPresent(b::topic);
        integer(kafka, "topic.partitions").ifPresent(b::topicPartitions);
        integer(kafka, "topic.replication-factor").ifPresent(b::topicReplicationFactor);
        value(kafka, "topic.create", "true or false", RouterConfigReader::parseBoolean).ifPresent(b::topicCreate);
        integer(kafka, "topic.min-insync-replicas").ifPresent(b::topicMinInsyncReplicas);
        producerProperties(kafka.get("producer"), b::producerProperty);
        return b.build();
    }

    /** Full keys of the values under {@code router} that the router does not know. */
    static List<String> unknownKeys(Config root) {
        Config router = root.get("router");
        String prefix = router.key().toString() + ".";
        return router.traverse()
                .filter(node -> node.hasValue())
                .map(node -> node.key().toString())
                .filter(key -> !ROUTER_KEYS.contains(key.substring(prefix.length())))
                .sorted()
                .toList();
    }

    /** Flattens {@code kafka.producer.*}: {@code kafka.producer.batch.size} becomes {@code batch.size}. */
    private static void producerProperties(Config producer, PropertySink sink) {
        String prefix = producer.key().toString() + ".";
        producer.traverse()
                .filter(node -> node.hasValue())
                .forEach(node -> sink.put(node.key().toString().substring(prefix.length()),
                        node.asString().get()));
    }

    private static Optional<String> string(Config parent, String key) {
        return value(parent, key, "a string", Function.identity());
    }

    private static Optional<Integer> integer(Config parent, String key) {
        return value(parent, key, "an integer", s -> Integer.parseInt(s.strip()));
    }

    private static Optional<Duration> duration(Config parent, String key) {
        return value(parent, key, "an ISO-8601 duration such as PT30S", s -> Duration.parse(s.strip()));
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

    private static boolean parseBoolean(String raw) {
        return switch (raw.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new NumberFormatException(raw);
        };
    }

    @FunctionalInterface
    private interface PropertySink {
        void put(String key, String value);
    }
}
