package io.switchboard.roomlog;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import org.apache.kafka.common.utils.Utils;

/**
 * The room log topic as Kafka describes it: its name, id and partition count, with the two mappings every tier
 * must agree on. A room lives in the partition Kafka's default partitioner puts records keyed by it into
 * ({@code toPositive(murmur2(utf8(room))) % partitions}); a partition's log is named by its epoch, the topic id
 * and the partition ({@code "<topicId>:<partition>"}), so that recreating the topic changes every epoch and
 * clients holding a position of the old log notice. Epoch strings are built once. Immutable and thread-safe.
 */
public final class RoomLogTopic {
    private final String name;
    private final String topicId;
    private final String[] epochs;

    /**
     * @param name       topic name
     * @param topicId    Kafka's topic id; part of every epoch, so it changes when the topic is recreated
     * @param partitions the topic's partition count
     */
    public RoomLogTopic(String name, String topicId, int partitions) {
        this.name = Objects.requireNonNull(name, "name");
        this.topicId = Objects.requireNonNull(topicId, "topicId");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: " + partitions + " (expected: >= 1)");
        }
        this.epochs = new String[partitions];
        for (int p = 0; p < partitions; p++) {
            epochs[p] = epoch(topicId, p);
        }
    }

    /** The epoch of partition {@code partition} of the topic with id {@code topicId}. */
    public static String epoch(String topicId, int partition) {
        return topicId + ":" + partition;
    }

    public String name() {
        return name;
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

    /**
     * The epoch of {@code partition}'s log; a partition added after this description was taken (rare) gets
     * its epoch built on the fly.
     */
    public String epoch(int partition) {
        return partition < epochs.length ? epochs[partition] : epoch(topicId, partition);
    }

    /** The epoch of the log {@code room} lives in. */
    public String epochOf(String room) {
        return epochs[partitionOf(room)];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoomLogTopic t && name.equals(t.name) && topicId.equals(t.topicId)
                && epochs.length == t.epochs.length;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, topicId, epochs.length);
    }

    @Override
    public String toString() {
        return name + " (id " + topicId + ", " + epochs.length + " partitions)";
    }
}
