package io.switchboard.gateway.fanout;

import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class TopicLayoutTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 12, 64})
    void partitionMatchesKafkasDefaultPartitionerForStringKeys(int partitions) {
        TopicLayout layout = new TopicLayout("switchboard.rooms", "AAAAAAAAAAAAAAAAAAAAAA", partitions);
        IntStream.range(0, 2000).mapToObj(i -> "room:" + i + (i % 7 == 0 ? "é" : "")).forEach(room -> {
            int expected = BuiltInPartitioner.partitionForKey(room.getBytes(StandardCharsets.UTF_8), partitions);
            assertThat(layout.partitionOf(room)).as(room).isEqualTo(expected);
            assertThat(layout.epochOf(room)).isEqualTo("AAAAAAAAAAAAAAAAAAAAAA:" + expected);
        });
    }
}
