package io.switchboard.router;

import static io.switchboard.service.ConfigValues.duration;
import static io.switchboard.service.ConfigValues.integer;
import static io.switchboard.service.ConfigValues.leaves;
import static io.switchboard.service.ConfigValues.longValue;
import static io.switchboard.service.ConfigValues.string;

import io.helidon.config.Config;
import io.switchboard.router.api.ApiConfig;
import io.switchboard.service.UnknownKeys;
import java.util.List;
import java.util.Set;

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
            "kafka.max-block", "presence.address", "presence.timeout", "presence.cache-ttl",
            "presence.cache-max-entries", "ephemeral.min-interval", "ephemeral.ttl", "history.address");

    /**
     * Subtrees under {@code router} read by other components of the router process (the public API reads
     * {@code router.api.*} itself and reports its own unknown keys).
     */
    static final Set<String> DELEGATED_PREFIXES = Set.of("api.");

    private RouterConfigReader() {
    }

    static RouterConfig read(Config root) {
        Config router = root.get("router");
        Config kafka = root.get("kafka");
        UnknownKeys.warn(LOG, unknownKeys(root));

        RouterConfig.Builder b = RouterConfig.builder();
        string(router, "id").ifPresent(b::id);
        integer(router, "grpc.port").ifPresent(b::grpcPort);
        integer(router, "metrics.port").ifPresent(b::metricsPort);
        integer(router, "max-payload-bytes").ifPresent(b::maxPayloadBytes);
        integer(router, "max-in-flight").ifPresent(b::maxInFlight);
        longValue(router, "dedup.max-entries").ifPresent(b::dedupMaxEntries);
        duration(router, "dedup.ttl").ifPresent(b::dedupTtl);
        duration(router, "startup-timeout").ifPresent(b::startupTimeout);
        duration(router, "shutdown-grace").ifPresent(b::shutdownGrace);
        duration(router, "kafka.delivery-timeout").ifPresent(b::deliveryTimeout);
        duration(router, "kafka.linger").ifPresent(b::linger);
        duration(router, "kafka.max-block").ifPresent(b::maxBlock);
        string(router, "presence.address").filter(s -> !s.isBlank()).ifPresent(b::presenceAddress);
        duration(router, "presence.timeout").ifPresent(b::presenceTimeout);
        duration(router, "presence.cache-ttl").ifPresent(b::presenceCacheTtl);
        longValue(router, "presence.cache-max-entries").ifPresent(b::presenceCacheMaxEntries);
        duration(router, "ephemeral.min-interval").ifPresent(b::ephemeralMinInterval);
        duration(router, "ephemeral.ttl").ifPresent(b::ephemeralTtl);
        string(router, "history.address").filter(s -> !s.isBlank()).ifPresent(b::historyAddress);
        b.api(ApiConfig.from(router));

        string(kafka, "bootstrap-servers").ifPresent(b::bootstrapServers);
        b.topicSettings().read(kafka);
        string(kafka, "ephemeral-topic.name").ifPresent(b::ephemeralTopic);
        string(kafka, "control-topic.name").ifPresent(b::controlTopic);
        integer(kafka, "control-topic.partitions").ifPresent(b::controlTopicPartitions);
        string(kafka, "presence-topic.name").ifPresent(b::presenceTopic);
        leaves(kafka.get("producer")).forEach(b::producerProperty);
        return b.build();
    }

    /** Full keys of the values under {@code router} that the router does not know. */
    static List<String> unknownKeys(Config root) {
        return UnknownKeys.find(root, "router",
                key -> ROUTER_KEYS.contains(key) || DELEGATED_PREFIXES.stream().anyMatch(key::startsWith));
    }
}
