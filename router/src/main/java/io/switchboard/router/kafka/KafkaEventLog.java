package io.switchboard.router.kafka;

import io.switchboard.proto.internal.v1.ControlRecord;
import io.switchboard.proto.internal.v1.EphemeralRecord;
import io.switchboard.router.EventLog;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Ephemeral and control records on Kafka, written with the room log's producer ({@link
 * KafkaEnvelopeLog#events}): key = room (ephemeral) or user id / room (control), value = the serialized
 * record, timestamp = the router's time. Futures complete on the producer's I/O thread. Thread-safe.
 */
final class KafkaEventLog implements EventLog {
    private final Producer<byte[], byte[]> producer;
    private final String ephemeralTopic;
    private final String controlTopic;

    KafkaEventLog(Producer<byte[], byte[]> producer, String ephemeralTopic, String controlTopic) {
        this.producer = producer;
        this.ephemeralTopic = ephemeralTopic;
        this.controlTopic = controlTopic;
    }

    @Override
    public CompletableFuture<Void> appendEphemeral(EphemeralRecord record, Instant timestamp) {
        return send(ephemeralTopic, record.getRoom(), record.toByteArray(), timestamp);
    }

    @Override
    public CompletableFuture<Void> appendControl(String key, ControlRecord record, Instant timestamp) {
        return send(controlTopic, key, record.toByteArray(), timestamp);
    }

    private CompletableFuture<Void> send(String topic, String key, byte[] value, Instant timestamp) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, timestamp.toEpochMilli(),
                key.getBytes(StandardCharsets.UTF_8), value);
        producer.send(record, (metadata, failure) -> {
            if (failure != null) {
                stored.completeExceptionally(failure);
            } else {
                stored.complete(null);
            }
        });
        return stored;
    }

    @Override
    public String toString() {
        return "KafkaEventLog{ephemeral=" + ephemeralTopic + ", control=" + controlTopic + "}";
    }
}
