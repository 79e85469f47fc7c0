package io.switchboard.presence.kafka;

import io.switchboard.proto.internal.v1.PresenceRecord;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where presence records go: the presence topic in production, a list in unit tests. Implementations are
 * thread-safe; {@link #write} must not block for long (it is called by the delta flusher on every interval).
 */
public interface PresenceSink extends AutoCloseable {
    /**
     * Told what became of each record, on the sink's own thread (for Kafka, the producer's I/O thread).
     *
     * @param written a record Kafka acknowledged
     * @param lost    a record lost: refused, or not acknowledged within the delivery timeout
     */
    record Outcomes(Consumer<PresenceRecord> written, Consumer<PresenceRecord> lost) {
        public Outcomes {
            Objects.requireNonNull(written, "written");
            Objects.requireNonNull(lost, "lost");
        }
    }

    /** Hands one record over for writing; delivery is asynchronous and failures are the sink's to report. */
    void write(PresenceRecord record);

    /** Records that could not be written (refused, or not acknowledged in time); 0 for sinks that cannot fail. */
    default long failures() {
        return 0;
    }

    /** Flushes what was handed over and releases resources; bounded in time. */
    @Override
    void close();

    /** The record's key on the presence topic: {@code room:<room>} or {@code user:<user id>}. */
    static String key(PresenceRecord record) {
        return switch (record.getRecordCase()) {
            case ROOM -> "room:" + record.getRoom().getRoom();
            case USER -> "user:" + record.getUser().getUserId();
            case RECORD_NOT_SET -> throw new IllegalArgumentException("record: not set");
        };
    }

    /** {@link #key} as UTF-8, the bytes written to Kafka. */
    static byte[] keyBytes(PresenceRecord record) {
        return key(record).getBytes(StandardCharsets.UTF_8);
    }
}
