package io.switchboard.gateway.fanout;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import io.switchboard.proto.Names;
import org.apache.kafka.common.utils.Utils;

/**
 * The rooms topic as the gateway sees it: its id and partition count, learned once at start. Maps a room to its
 * partition exactly as Kafka's default partitioner does for a String key
 * ({@code toPositive(murmur2(utf8(room))) % partitions}) and a partition to its epoch
 * ({@link Names#epoch(String, int)}). Immutable and thread-safe.
 */
public final class TopicLayout {
    private final String topic;
    private final String topicId;
    private final String[] epochs;

    public TopicLayout(String topic, String topicId, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: " + partitions + " (expected: >= 1)");
        }
        this.topic = Objects.requireNonNull(topic, "topic");
        this.topicId = Objects.requireNonNull(topicId, "topicId");
        this.epochs = new String[partitions];
        for (int p = 0; p < partitions; p++) {
            epochs[p] = Names.epoch(topicId, p);
        }
    }

    public String topic() {
        return topic;
    }

    public String topicId() {
        return topicId;
    }

    public int partitions() {
        return epochs.length;
    }

    /** The partition Kafka's default partitioner puts records keyed {@code room} into. */
    public int partitionOf(String room) {
        return Utils.toPositive(Utils.murmur2(room.getBytes(StandardCharsets.UTF_8))) % epochs.length;
    }

    /** The epoch of a partition's log. */
    public String epoch(int partition) {
        return epochs[partition];
    }

    /** The epoch of the log {@code room} lives in. */
    public String epochOf(String room) {
        return epochs[partitionOf(room)];
    }

    @Override
    public String toString() {
        return topic + " (id " + topicId + ", " + epochs.length + " partitions)";
    }
}
