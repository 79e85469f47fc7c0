package io.switchboard.roomlog;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoomLogTopicTest {
    private static final String TOPIC_ID = "AAAAAAAAAAAAAAAAAAAAAA";

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 12, 64})
    void partitionMatchesKafkasDefaultPartitionerForStringKeys(int partitions) {
        RoomLogTopic topic = new RoomLogTopic("switchboard.rooms", TOPIC_ID, partitions);
        IntStream.range(0, 2000).mapToObj(i -> "room:" + i + (i % 7 == 0 ? "é" : "")).forEach(room -> {
            int expected = BuiltInPartitioner.partitionForKey(room.getBytes(StandardCharsets.UTF_8), partitions);
            assertThat(topic.partitionOf(room)).as(room).isEqualTo(expected);
            assertThat(topic.epochOf(room)).isEqualTo(TOPIC_ID + ":" + expected);
        });
    }

    /**
     * Pinned values: every tier (and every stored position) depends on this mapping, so a change to it is a
     * change of the record format, not a refactoring.
     */
    @ParameterizedTest
    @CsvSource({"chat:lobby,6,3", "a,6,4", "chat:élan,12,7", "room-42,3,2"})
    void mappingIsPinned(String room, int partitions, int expected) {
        assertThat(new RoomLogTopic("switchboard.rooms", TOPIC_ID, partitions).partitionOf(room)).isEqualTo(expected);
    }

    @Test
    void epochIsTopicIdAndPartition() {
        RoomLogTopic topic = new RoomLogTopic("rooms", "id-1", 4);
        assertThat(topic.epoch(3)).isEqualTo("id-1:3").isEqualTo(RoomLogTopic.epoch("id-1", 3));
        // A partition added after the description was taken still gets its epoch.
        assertThat(topic.epoch(9)).isEqualTo("id-1:9");
        assertThat(new RoomLogTopic("rooms", "id-2", 4).epoch(3)).isNotEqualTo(topic.epoch(3));
    }

    @Test
    void describesItself() {
        RoomLogTopic topic = new RoomLogTopic("rooms", "id-1", 4);
        assertThat(topic.name()).isEqualTo("rooms");
        assertThat(topic.topicId()).isEqualTo("id-1");
        assertThat(topic.partitions()).isEqualTo(4);
        assertThat(topic).isEqualTo(new RoomLogTopic("rooms", "id-1", 4))
                .hasSameHashCodeAs(new RoomLogTopic("rooms", "id-1", 4))
                .isNotEqualTo(new RoomLogTopic("rooms", "id-1", 5));
        assertThat(topic).hasToString("rooms (id id-1, 4 partitions)");
    }

    @Test
    void rejectsNoPartitions() {
        assertThatThrownBy(() -> new RoomLogTopic("rooms", "id", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("partitions: 0 (expected: >= 1)");
    }
}
