package io.switchboard.router.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A topic the router expects, and how to create it when absent.
 *
 * @param name              topic name
 * @param partitions        partitions when created
 * @param replicationFactor replication factor when created
 * @param minInsyncReplicas {@code min.insync.replicas} when created; empty leaves the broker default
 * @param create            whether to create the topic when it does not exist
 * @param configs           further topic configs when created (such as {@code retention.ms})
 */
public record TopicSpec(String name, int partitions, short replicationFactor, OptionalInt minInsyncReplicas,
                        boolean create, Map<String, String> configs) {
    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(minInsyncReplicas, "minInsyncReplicas");
        configs = Map.copyOf(configs);
    }

    /** A spec without further topic configs (the room log keeps the broker's retention defaults). */
    public TopicSpec(String name, int partitions, short replicationFactor, OptionalInt minInsyncReplicas,
                     boolean create) {
        this(name, partitions, replicationFactor, minInsyncReplicas, create, Map.of());
    }

    /** This spec with another name, partition count and configs; replication and creation stay. */
    public TopicSpec sibling(String otherName, int otherPartitions, Map<String, String> otherConfigs) {
        return new TopicSpec(otherName, otherPartitions, replicationFactor, minInsyncReplicas, create, otherConfigs);
    }
}
