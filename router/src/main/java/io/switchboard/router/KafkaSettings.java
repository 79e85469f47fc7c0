package io.switchboard.router;

import static io.switchboard.router.RouterKeys.DELIVERY_TIMEOUT;
import static io.switchboard.router.RouterKeys.ID;
import static io.switchboard.router.RouterKeys.LINGER;
import static io.switchboard.router.RouterKeys.MAX_BLOCK;

import io.switchboard.router.kafka.TopicSpec;
import io.switchboard.service.KafkaClientSettings;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.KafkaTopicSettings;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * Turns a {@link RouterConfig} into Kafka client properties: the one place that decides the producer's
 * delivery guarantees. Stateless, hence thread-safe.
 */
final class KafkaSettings {
    /** Kafka's default request.timeout.ms; lowered when the delivery timeout would not leave room for it. */
    private static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
    /** Gateways read the side topics from the end only: retention just bounds the disk they use. */
    static final Duration EPHEMERAL_RETENTION = Duration.ofMinutes(1);
    static final Duration CONTROL_RETENTION = Duration.ofHours(1);

    private KafkaSettings() {
    }

    /**
     * Producer properties: idempotent, acks=all, at most 5 requests in flight per connection (the most the
     * idempotent producer keeps in order), then the {@code kafka.producer.*} passthrough.
     */
    static Properties producer(RouterConfig config) {
        Properties props = new Properties();
        props.putAll(config.producerProperties());
        props.put("bootstrap.servers", config.get(KafkaKeys.BOOTSTRAP_SERVERS));
        props.putIfAbsent("client.id", "switchboard-router-" + config.get(ID));
        props.put("enable.idempotence", "true");
        props.put("acks", "all");
        props.putIfAbsent("max.in.flight.requests.per.connection", "5");
        long linger = config.get(LINGER).toMillis();
        long delivery = config.get(DELIVERY_TIMEOUT).toMillis();
        props.put("linger.ms", Long.toString(linger));
        props.put("delivery.timeout.ms", Long.toString(delivery));
        props.put("max.block.ms", Long.toString(config.get(MAX_BLOCK).toMillis()));
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        props.putIfAbsent("request.timeout.ms", Long.toString(Math.min(DEFAULT_REQUEST_TIMEOUT_MS, delivery - linger)));
        return props;
    }

    /** AdminClient properties for the startup topic bootstrap. */
    static Properties admin(RouterConfig config) {
        Properties props = connection(config);
        props.put("client.id", "switchboard-router-admin-" + config.get(ID));
        return props;
    }

    /**
     * Consumer properties for the presence-topic listener: the connection security settings, no group (it
     * assigns itself every partition and never commits).
     */
    static Properties consumer(RouterConfig config) {
        Properties props = connection(config);
        props.put("client.id", "switchboard-router-presence-" + config.get(ID));
        return props;
    }

    /** Consumer properties for the room-log index that feeds the dedup memory: no group, like the listener's. */
    static Properties dedupConsumer(RouterConfig config) {
        Properties props = connection(config);
        props.put("client.id", "switchboard-router-dedup-" + config.get(ID));
        return props;
    }

    /**
     * Bootstrap servers and the connection security settings of {@code kafka.producer.*}: every client of the
     * router must reach the same cluster the same way.
     */
    private static Properties connection(RouterConfig config) {
        return KafkaClientSettings.connection(config.get(KafkaKeys.BOOTSTRAP_SERVERS), config.producerProperties());
    }

    /** The ephemeral topic: as many partitions as the room log has, retention one minute. */
    static TopicSpec ephemeralTopic(RouterConfig config, int roomPartitions) {
        return topic(config).sibling(config.get(KafkaKeys.EPHEMERAL_TOPIC_NAME), roomPartitions,
                Map.of("retention.ms", Long.toString(EPHEMERAL_RETENTION.toMillis())));
    }

    /** The control topic: {@code kafka.control-topic.partitions}, retention one hour. */
    static TopicSpec controlTopic(RouterConfig config) {
        return topic(config).sibling(config.get(KafkaKeys.CONTROL_TOPIC_NAME),
                config.get(KafkaKeys.CONTROL_TOPIC_PARTITIONS),
                Map.of("retention.ms", Long.toString(CONTROL_RETENTION.toMillis())));
    }

    static TopicSpec topic(RouterConfig config) {
        KafkaTopicSettings t = config.topicSettings();
        return new TopicSpec(t.name(), t.partitions(), t.replicationFactor(), t.minInsyncReplicas(), t.create());
    }
}
