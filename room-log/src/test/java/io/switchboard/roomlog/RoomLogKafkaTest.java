package io.switchboard.roomlog;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.IntStream;

import io.switchboard.kafka.embedded.EmbeddedKafkaExtension;
import io.switchboard.proto.internal.v1.Envelope;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The layout and the codec against a real broker: where Kafka's producer really puts a room, and reading it back. */
class RoomLogKafkaTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void loaderLearnsTheTopicAndTheProducerPutsEachRoomWhereTheLayoutSays() throws Exception {
        String name = "rooms-" + UUID.randomUUID();
        KAFKA.kafka().createTopic(name, 6, (short) 1);
        RoomLogTopic topic = RoomLogTopicLoader.load(admin(), name, Duration.ofSeconds(30));
        assertThat(topic.name()).isEqualTo(name);
        assertThat(topic.partitions()).isEqualTo(6);
        assertThat(topic.topicId()).isNotBlank();

        List<String> rooms = List.of("chat:lobby", "chat:élan", "a", "room-42", "news/eu", "x@y", "z:1", "z:2");
        Map<String, RecordMetadata> written = new HashMap<>();
        Properties p = new Properties();
        p.put("bootstrap.servers", KAFKA.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String room : rooms) {
                Envelope env = Envelope.newBuilder().setId("m-" + room).setRoom(room).build();
                written.put(room, producer.send(RoomRecords.record(name, room, env,
                        Instant.ofEpochMilli(1_700_000_000_000L))).get());
            }
        }
        rooms.forEach(room -> assertThat(written.get(room).partition()).as(room).isEqualTo(topic.partitionOf(room)));

        List<Envelope> read = readAll(topic);
        assertThat(read).hasSize(rooms.size());
        for (Envelope stored : read) {
            RecordMetadata meta = written.get(stored.getRoom());
            assertThat(stored.getId()).isEqualTo("m-" + stored.getRoom());
            assertThat(stored.getPosition().getEpoch()).isEqualTo(topic.epochOf(stored.getRoom()));
            assertThat(stored.getPosition().getOffset()).isEqualTo(meta.offset());
            assertThat(stored.getStoredTime().getSeconds()).isEqualTo(1_700_000_000L);
        }
    }

    @Test
    void loaderGivesUpOnAMissingTopicWithAReason() {
        assertThatThrownBy(() -> RoomLogTopicLoader.load(admin(), "never-created", Duration.ofMillis(1500)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Kafka topic 'never-created' not described at " + KAFKA.bootstrapServers());
    }

    private static Properties admin() {
        Properties props = new Properties();
        props.put("bootstrap.servers", KAFKA.bootstrapServers());
        return props;
    }

    private static List<Envelope> readAll(RoomLogTopic topic) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", KAFKA.bootstrapServers());
        List<Envelope> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = IntStream.range(0, topic.partitions())
                    .mapToObj(i -> new TopicPartition(topic.name(), i)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(RoomRecords.storedEnvelope(RoomRecords.room(r.key()), r.value(),
                            topic.epoch(r.partition()), r.offset(), r.timestamp()));
                }
            }
        }
        return out;
    }
}
