package io.switchboard.history.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Durable store of room messages keyed by (room, offset), with the ingest progress of every Kafka partition.
 * Implementations are thread-safe: one ingest thread and one retention sweeper write, any number of gRPC
 * threads read concurrently.
 *
 * <p>Writes are idempotent: appending a message whose offset is below its partition's stored
 * {@link PartitionProgress#nextOffset()} changes nothing, so a replay after a crash rewrites nothing.
 */
public interface MessageStore extends AutoCloseable {

    /** The Kafka topic id whose records are stored, empty for a new (or wiped) store. */
    Optional<String> topicId();

    /** Deletes everything and records {@code topicId} as the topic now ingested (the topic was recreated). */
    void reset(String topicId);

    /** The ingest progress of every partition ingested so far. */
    Map<Integer, PartitionProgress> progress();

    /**
     * Atomically and durably stores {@code messages} together with the next offset of each partition in
     * {@code nextOffsets}. A message below its partition's stored next offset is skipped. A partition's
     * ingest start is set by its first append.
     */
    void append(List<StoredMessage> messages, Map<Integer, Long> nextOffsets);

    /** The partition, count, oldest offset and retention watermark of {@code room}; empty if never stored. */
    Optional<RoomInfo> room(String room);

    /** The newest {@code limit} messages of {@code room}; {@code hasMore} when older ones exist. */
    Page latest(String room, int limit);

    /** The {@code limit} messages just before {@code offset} (exclusive); {@code hasMore} when older exist. */
    Page before(String room, long offset, int limit);

    /**
     * The {@code limit} messages just after {@code offset} (exclusive) and below {@code until} (exclusive;
     * empty = unbounded); {@code hasMore} when more exist within the bound.
     */
    Page after(String room, long offset, OptionalLong until, int limit);

    /**
     * How many messages of {@code room} lie after {@code offset} (exclusive) and below {@code until} (exclusive;
     * empty = unbounded): what pages of {@link #after} would return in total. Scans the range.
     */
    long count(String room, long offset, OptionalLong until);

    /** Every room that has (or had) messages, in key order. */
    List<String> rooms();

    /**
     * Deletes {@code room}'s messages stored before {@code cutoffMillis} and, beyond that, its oldest ones until
     * at most {@code maxMessages} remain; records the highest deleted offset. Returns how many were deleted.
     */
    long deleteExpired(String room, long cutoffMillis, long maxMessages);

    /** Flushes and closes the store. Idempotent. */
    @Override
    void close();
}
