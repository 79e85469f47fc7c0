package io.switchboard.router.kafka;

import io.switchboard.proto.Names;

import java.util.Objects;

/**
 * The room log topic as Kafka describes it.
 *
 * @param name       topic name
 * @param topicId    Kafka's topic id; part of every epoch, so it changes when the topic is recreated
 * @param partitions the topic's partition count
 */
public record TopicInfo(String name, String topicId, int partitions) {
    public TopicInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicId, "topicId");
    }

    /** The epoch of {@code partition}'s log. */
    public String epoch(int partition) {
        return Names.epoch(topicId, partition);
    }
}
