package io.switchboard.service;

import io.switchboard.service.config.Key;
import io.switchboard.service.config.Settings;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A topic a tier writes and may create at startup: its name and partitions from its own keys
 * ({@code kafka.topic.*}, {@code kafka.presence-topic.*}), its replication from the shared
 * {@code kafka.topic.replication-factor}, {@code kafka.topic.min-insync-replicas} and {@code kafka.topic.create}.
 * The values were checked by the tier's catalogue. Immutable, hence thread-safe.
 *
 * @param name              the topic
 * @param partitions        partitions when created
 * @param replicationFactor replication when created
 * @param minInsyncReplicas empty leaves the broker default
 * @param create            whether startup creates the topic when absent
 */
public record KafkaTopicSettings(String name, int partitions, short replicationFactor,
                                 OptionalInt minInsyncReplicas, boolean create) {
    public KafkaTopicSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(minInsyncReplicas, "minInsyncReplicas");
    }

    /** The topic named by {@code name} with {@code partitions} partitions, and the shared replication keys. */
    public static KafkaTopicSettings of(Settings settings, Key<String> name, Key<Integer> partitions) {
        return new KafkaTopicSettings(settings.get(name), settings.get(partitions),
                settings.get(KafkaKeys.TOPIC_REPLICATION_FACTOR).shortValue(),
                settings.find(KafkaKeys.TOPIC_MIN_INSYNC_REPLICAS).map(OptionalInt::of).orElse(OptionalInt.empty()),
                settings.get(KafkaKeys.TOPIC_CREATE));
    }
}
