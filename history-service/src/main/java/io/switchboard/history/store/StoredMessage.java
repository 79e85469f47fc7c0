package io.switchboard.history.store;

import io.switchboard.proto.internal.v1.Envelope;

import java.util.Objects;

/**
 * One stored message of a room. Immutable.
 *
 * @param room            the room (the Kafka record key)
 * @param partition       the Kafka partition the room maps to
 * @param offset          the record's offset: the message's position within the room's epoch
 * @param storedTimeMillis the record timestamp in epoch milliseconds (retention by age uses it)
 * @param envelope        the envelope as served, with {@code position} and {@code stored_time} set
 */
public record StoredMessage(String room, int partition, long offset, long storedTimeMillis, Envelope envelope) {
    public StoredMessage {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(envelope, "envelope");
        if (partition < 0) {
            throw new IllegalArgumentException("partition: " + partition + " (expected: >= 0)");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
        }
    }
}
