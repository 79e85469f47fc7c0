package io.switchboard.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SingleNodeInProcessTest {

    @AutoClose
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.builder().build();
        kafka.start();
    }

    @Test
    void idempotentAcksAllProducerRoundTripsThroughAConsumerGroup() throws Exception {
        kafka.createTopic("single.roundtrip", 3, (short) 1);
        kafka.createTopic("single.roundtrip", 3, (short) 1); // idempotent: an existing topic is fine

        List<String> values = IntStream.range(0, 20).mapToObj(i -> "message-" + i).toList();
        List<RecordMetadata> acks = TestClients.send(kafka.bootstrapServers(), "single.roundtrip", "room-a", values);

        // One key, so one partition and consecutive offsets.
        assertThat(acks).extracting(RecordMetadata::partition).containsOnly(acks.getFirst().partition());
        assertThat(acks).extracting(RecordMetadata::offset).containsExactlyElementsOf(
                IntStream.range(0, 20).mapToObj(i -> (long) i).toList());
        assertThat(TestClients.readAsGroup(kafka.bootstrapServers(), "single.roundtrip", "group-1", 20,
                Duration.ofSeconds(30))).containsExactlyElementsOf(values);
    }

    @Test
    void describesItself() {
        assertThat(kafka.nodeCount()).isEqualTo(1);
        assertThat(kafka.nodeIds()).containsExactly(1);
        assertThat(kafka.bootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(kafka.brokerAddress(1)).isEqualTo(kafka.bootstrapServers());
        assertThat(kafka.isRunning(1)).isTrue();
        assertThat(kafka.pidOf(1)).isEmpty();
        assertThat(kafka.dataDirectory().resolve("node-1").resolve("server.properties")).isRegularFile();
    }

    @Test
    void secondStartFails() {
        assertThatThrownBy(kafka::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
    }

    @Test
    void killIsNotSupportedInProcess() {
        assertThatThrownBy(() -> kafka.killNode(1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(kafka.isRunning(1)).isTrue();
    }

    @Test
    void rejectsUnknownNodeIds() {
        assertThatThrownBy(() -> kafka.stopNode(2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stopNode: nodeId 2 (expected: 1..1)");
    }

    @Test
    void closeDeletesTheTemporaryDataDirectoryAndIsIdempotent() {
        EmbeddedKafka other = EmbeddedKafka.builder().build();
        Path directory;
        try {
            other.start();
            directory = other.dataDirectory();
            assertThat(directory).isDirectory();
        } finally {
            other.close();
        }
        other.close();
        assertThat(Files.exists(directory)).isFalse();
        assertThatThrownBy(other::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
