package io.switchboard.router.kafka;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The room log topic the router expects, and how to create it when absent.
 *
 * @param name              topic name
 * @param partitions        partitions when created
 * @param replicationFactor replication factor when created
 * @param minInsyncReplicas {@code min.insync.replicas} when created; empty leaves the broker default
 * @param create            whether to create the topic when it does not exist
 */
public record TopicSpec(String name, int partitions, short replicationFactor, OptionalInt minInsyncReplicas,
                        boolean create) {
    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(minInsyncReplicas, "minInsyncReplicas");
    }
}
