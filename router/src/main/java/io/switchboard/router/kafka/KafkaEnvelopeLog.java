package io.switchboard.router.kafka;

import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.router.EnvelopeLog;
import io.switchboard.router.EventLog;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.roomlog.RoomRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * The room log on Kafka: one record per envelope, in the layout of {@link RoomRecords} (key = room, value = the
 * serialized envelope, timestamp = the router's receive time). The producer must be idempotent with acks=all (the caller's
 * properties say so; {@link #start} does not second-guess them) so that a room's records keep their send
 * order across retries. Futures complete on the producer's I/O thread. Thread-safe (KafkaProducer is).
 */
public final class KafkaEnvelopeLog implements EnvelopeLog {
    private final Producer<byte[], byte[]> producer;
    /** Its epoch strings are built once: every answer and every dedup entry refers to one. */
    private final RoomLogTopic topic;

    KafkaEnvelopeLog(Producer<byte[], byte[]> producer, RoomLogTopic topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /**
     * Creates the producer and waits (up to {@code warmUp}) until it knows the topic's partitions, so that
     * no publish later blocks on a first metadata fetch.
     *
     * @throws IllegalStateException when the topic's metadata did not arrive in time
     */
    public static KafkaEnvelopeLog start(Properties producerProperties, RoomLogTopic topic, Duration warmUp) {
        return start(producerProperties, topic, List.of(), warmUp);
    }

    /**
     * As {@link #start(Properties, RoomLogTopic, Duration)}, and also waits for the metadata of {@code alsoWarm}
     * (the topics {@link #events} writes to).
     */
    public static KafkaEnvelopeLog start(Properties producerProperties, RoomLogTopic topic, List<String> alsoWarm,
                                         Duration warmUp) {
        Properties props = new Properties();
        props.putAll(producerProperties);
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        long deadline = System.nanoTime() + warmUp.toNanos();
        List<String> topics = new ArrayList<>();
        topics.add(topic.name());
        topics.addAll(alsoWarm);
        int warmed = 0;
        while (true) {
            try {
                for (; warmed < topics.size(); warmed++) {
                    producer.partitionsFor(topics.get(warmed));
                }
                return new KafkaEnvelopeLog(producer, topic);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (System.nanoTime() >= deadline) {
                    producer.close(Duration.ZERO);
                    throw new IllegalStateException("no metadata for topic " + topics.get(warmed) + " within " + warmUp,
                            e);
                }
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                throw e;
            }
        }
    }

    @Override
    public CompletableFuture<Stored> append(String room, Envelope envelope, Instant timestamp) {
        CompletableFuture<Stored> stored = new CompletableFuture<>();
        ProducerRecord<byte[], byte[]> record = RoomRecords.record(topic.name(), room, envelope, timestamp);
        // send() reports its own failures (including a metadata timeout) through the callback.
        producer.send(record, (metadata, failure) -> {
            if (failure != null) {
                stored.completeExceptionally(failure);
            } else {
                stored.complete(storedAt(metadata));
            }
        });
        return stored;
    }

    private Stored storedAt(RecordMetadata metadata) {
        return new Stored(topic.epoch(metadata.partition()), metadata.offset(),
                Instant.ofEpochMilli(metadata.timestamp()));
    }

    /**
     * The ephemeral and control records, written with this log's producer (so they share its connections,
     * buffer and delivery settings). The returned log is closed by closing this one.
     */
    public EventLog events(String ephemeralTopic, String controlTopic) {
        return new KafkaEventLog(producer, ephemeralTopic, controlTopic);
    }

    @Override
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    /** The topic this log appends to. */
    public RoomLogTopic topic() {
        return topic;
    }

    @Override
    public String toString() {
        return "KafkaEnvelopeLog{topic=" + topic.name() + ", topicId=" + topic.topicId() + "}";
    }
}
