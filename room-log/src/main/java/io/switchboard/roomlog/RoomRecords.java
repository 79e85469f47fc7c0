package io.switchboard.roomlog;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.proto.Messages;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Position;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The record codec of the room log: one record per message, with
 * <ul>
 *   <li>key: the room name, UTF-8 (so Kafka's default partitioner picks the room's partition, see {@link
 *       RoomLogTopic#partitionOf(String)});</li>
 *   <li>value: the serialized {@link Envelope} as the router accepted it (no position, no stored time: those
 *       are the record's offset, partition and timestamp);</li>
 *   <li>timestamp: the router's receive time, in epoch milliseconds (the message's stored time);</li>
 *   <li>headers: {@link #USER_HEADER} and {@link #ID_HEADER}, the message's idempotency key (sender user id and
 *       message id, UTF-8), so that a router can follow every router's stored ids without parsing the value
 *       (records written before the headers have none); with tracing on also the W3C trace context of the
 *       router's send ({@link RecordTraceContext}: {@code traceparent}, maybe {@code tracestate}), added by the
 *       router after the record is built.</li>
 * </ul>
 * Readers rebuild the stored envelope from a record with {@link #storedEnvelope}. Stateless, thread-safe.
 */
public final class RoomRecords {
    /** Record header: the sender's user id, half of the message's idempotency key. */
    public static final String USER_HEADER = "sb-user";
    /** Record header: the message id, the other half. */
    public static final String ID_HEADER = "sb-id";

    private RoomRecords() {
    }

    /** The record that appends {@code envelope} to {@code room}'s log of topic {@code topic}. */
    public static ProducerRecord<byte[], byte[]> record(String topic, String room, Envelope envelope,
                                                       Instant timestamp) {
        Header[] headers = {
                new RecordHeader(USER_HEADER, envelope.getSender().getUserId().getBytes(StandardCharsets.UTF_8)),
                new RecordHeader(ID_HEADER, envelope.getId().getBytes(StandardCharsets.UTF_8))};
        return new ProducerRecord<>(topic, null, timestamp.toEpochMilli(), key(room), envelope.toByteArray(),
                new RecordHeaders(headers));
    }

    /** The text of a record's header {@code name} (the last one), or null when the record has none. */
    public static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The record key of {@code room}. */
    public static byte[] key(String room) {
        return room.getBytes(StandardCharsets.UTF_8);
    }

    /** The room a record key names. */
    public static String room(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    /**
     * The envelope a record value holds, as the router wrote it.
     *
     * @throws InvalidProtocolBufferException when the value is not an envelope
     */
    public static Envelope envelope(byte[] value) throws InvalidProtocolBufferException {
        return Envelope.parseFrom(value);
    }

    /**
     * The envelope of a record as it is stored and read back: the room, its position (the epoch of the record's
     * partition and its offset) and its stored time (the record timestamp) filled in.
     *
     * @param epoch           the epoch of the record's partition ({@link RoomLogTopic#epoch(int)})
     * @param timestampMillis the record timestamp
     * @throws InvalidProtocolBufferException when the value is not an envelope
     */
    public static Envelope storedEnvelope(String room, byte[] value, String epoch, long offset,
                                          long timestampMillis) throws InvalidProtocolBufferException {
        return envelope(value).toBuilder()
                .setRoom(room)
                .setPosition(Position.newBuilder().setEpoch(epoch).setOffset(offset))
                .setStoredTime(Messages.millis(timestampMillis))
                .build();
    }
}
