package io.switchboard.roomlog;

import java.time.Instant;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Sender;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoomRecordsTest {
    private static final Envelope ENVELOPE = Envelope.newBuilder()
            .setId("m-1")
            .setRoom("chat:élan")
            .setSender(Sender.newBuilder().setUserId("alice"))
            .setPayload(ByteString.copyFromUtf8("hello"))
            .setContentType("text/plain")
            .build();

    @Test
    void recordLayoutIsKeyRoomValueEnvelopeTimestampReceiveTimeHeadersIdempotencyKey() throws Exception {
        ProducerRecord<byte[], byte[]> record = RoomRecords.record("switchboard.rooms", "chat:élan", ENVELOPE,
                Instant.ofEpochMilli(1_700_000_000_123L));

        assertThat(record.topic()).isEqualTo("switchboard.rooms");
        assertThat(record.partition()).as("the partitioner picks it from the key").isNull();
        assertThat(record.key()).isEqualTo("chat:élan".getBytes("UTF-8"));
        assertThat(record.value()).isEqualTo(ENVELOPE.toByteArray());
        assertThat(record.timestamp()).isEqualTo(1_700_000_000_123L);
        assertThat(record.headers().toArray()).hasSize(2);
        assertThat(RoomRecords.header(record.headers(), RoomRecords.USER_HEADER)).isEqualTo("alice");
        assertThat(RoomRecords.header(record.headers(), RoomRecords.ID_HEADER)).isEqualTo("m-1");
        assertThat(RoomRecords.header(new RecordHeaders(),
                RoomRecords.ID_HEADER)).as("a record written before the headers").isNull();
    }

    @Test
    void keyAndValueRoundTrip() throws Exception {
        ProducerRecord<byte[], byte[]> record = RoomRecords.record("t", "chat:élan", ENVELOPE, Instant.EPOCH);

        assertThat(RoomRecords.room(record.key())).isEqualTo("chat:élan");
        assertThat(RoomRecords.envelope(record.value())).isEqualTo(ENVELOPE);
    }

    @Test
    void storedEnvelopeCarriesRoomPositionAndStoredTimeFromTheRecord() throws Exception {
        RoomLogTopic topic = new RoomLogTopic("switchboard.rooms", "topic-id", 6);
        Envelope withoutRoom = ENVELOPE.toBuilder().clearRoom().build();

        Envelope stored = RoomRecords.storedEnvelope("chat:élan", withoutRoom.toByteArray(), topic.epoch(5), 42,
                1_700_000_000_123L);

        assertThat(stored.getRoom()).isEqualTo("chat:élan");
        assertThat(stored.getPosition().getEpoch()).isEqualTo("topic-id:5");
        assertThat(stored.getPosition().getOffset()).isEqualTo(42);
        assertThat(stored.getStoredTime().getSeconds()).isEqualTo(1_700_000_000L);
        assertThat(stored.getStoredTime().getNanos()).isEqualTo(123_000_000);
        assertThat(stored.toBuilder().clearPosition().clearStoredTime().build()).isEqualTo(ENVELOPE);
    }

    @Test
    void aValueThatIsNotAnEnvelopeIsRejected() {
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> RoomRecords.envelope(garbage)).isInstanceOf(InvalidProtocolBufferException.class);
        assertThatThrownBy(() -> RoomRecords.storedEnvelope("r", garbage, "e", 0, 0))
                .isInstanceOf(InvalidProtocolBufferException.class);
    }
}
