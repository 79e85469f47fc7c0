package io.switchboard.router;

import io.switchboard.router.kafka.TopicSpec;

import java.util.Properties;

/**
 * Turns a {@link RouterConfig} into Kafka client properties: the one place that decides the producer's
 * delivery guarantees. Stateless, hence thread-safe.
 */
final class KafkaSettings {
    /** Kafka's default request.timeout.ms; lowered when the delivery timeout would not leave room for it. */
    private static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

    private KafkaSettings() {
    }

    /**
     * Producer properties: idempotent, acks=all, at most 5 requests in flight per connection (the most the
     * idempotent producer keeps in order), then the {@code kafka.producer.*} passthrough.
     */
    static Properties producer(RouterConfig config) {
        Properties props = new Properties();
        props.putAll(config.producerProperties());
        props.put("bootstrap.servers", config.bootstrapServers());
        props.putIfAbsent("client.id", "switchboard-router-" + config.id());
        props.put("enable.idempotence", "true");
        props.put("acks", "all");
        props.putIfAbsent("max.in.flight.requests.per.connection", "5");
        long linger = config.linger().toMillis();
        long delivery = config.deliveryTimeout().toMillis();
        props.put("linger.ms", Long.toString(linger));
        props.put("delivery.timeout.ms", Long.toString(delivery));
        props.put("max.block.ms", Long.toString(config.maxBlock().toMillis()));
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        props.putIfAbsent("request.timeout.ms", Long.toString(Math.min(DEFAULT_REQUEST_TIMEOUT_MS, delivery - linger)));
        return props;
    }

    /** AdminClient properties for the startup topic bootstrap. */
    static Properties admin(RouterConfig config) {
        Properties props = new Properties();
        // The admin client must reach the same cluster the same way: share the connection security settings.
        config.producerProperties().forEach((key, value) -> {
            if (key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
                props.put(key, value);
            }
        });
        props.put("bootstrap.servers", config.bootstrapServers());
        props.put("client.id", "switchboard-router-admin-" + config.id());
        return props;
    }

    static TopicSpec topic(RouterConfig config) {
        return new TopicSpec(config.topic(), config.topicPartitions(), config.topicReplicationFactor(),
                config.topicMinInsyncReplicas(), config.topicCreate());
    }
}
