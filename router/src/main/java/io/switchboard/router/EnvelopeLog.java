package io.switchboard.router;

import io.switchboard.proto.internal.v1.Envelope;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The durable room log the router appends to: Kafka in production ({@code
 * io.switchboard.router.kafka.KafkaEnvelopeLog}), a scripted fake at this seam in unit tests.
 * Implementations must be thread-safe.
 */
public interface EnvelopeLog {
    /**
     * Appends {@code envelope} to {@code room}'s log with the given record timestamp. Returns at once (at
     * most a short, bounded block); the future completes once the log has durably stored the record, or
     * exceptionally when it could not. Appends to one room are stored in call order.
     */
    CompletableFuture<Stored> append(String room, Envelope envelope, Instant timestamp);

    /**
     * Stops accepting appends, waits up to {@code timeout} for pending ones to be stored and fails what is
     * left. Idempotent.
     */
    void close(Duration timeout);

    /**
     * Where the log stored a record.
     *
     * @param epoch      identifies the room's log ({@code RoomLogTopic.epoch(topicId, partition)})
     * @param offset     the record's position in that log
     * @param storedTime the record's timestamp as stored
     */
    record Stored(String epoch, long offset, Instant storedTime) {
    }
}
