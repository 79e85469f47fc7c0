package io.switchboard.router;

import io.switchboard.proto.internal.v1.ControlRecord;
import io.switchboard.proto.internal.v1.EphemeralRecord;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The non-durable side channels the router writes besides the room log: ephemeral events (typing) and
 * control records (direct messages, disconnects, room closes). Kafka in production ({@code
 * io.switchboard.router.kafka.KafkaEventLog}), read from the end by gateways. Implementations must be
 * thread-safe; like {@link EnvelopeLog#append}, the appends return at once and complete once stored.
 */
public interface EventLog {
    /** Appends {@code record} to the ephemeral topic, keyed by its room. */
    CompletableFuture<Void> appendEphemeral(EphemeralRecord record, Instant timestamp);

    /** Appends {@code record} to the control topic, keyed by {@code key} (a user id or a room). */
    CompletableFuture<Void> appendControl(String key, ControlRecord record, Instant timestamp);
}
