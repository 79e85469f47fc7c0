package io.switchboard.presence.shards;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.switchboard.presence.kafka.PresenceSink;
import io.switchboard.presence.state.PresenceState;
import io.switchboard.proto.internal.v1.PresenceRecord;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The sink of one of several presence instances: passes on the records of the rooms and users this instance owns
 * and drops the others (their owner writes them), remembering for a while which rooms and users it dropped.
 *
 * <p>Every instance computes every record, so each keeps its own consistent chain of room versions whether or not
 * it writes them; a page it serves plus its records after the page's version is the truth. When it takes shards
 * over ({@link #taken}), it forces a record for each of their rooms and users, also those that changed while the
 * previous owner was already dead (remembered here, since a room that emptied or a user gone offline is no longer
 * in the model). Clients holding the previous owner's list see a new epoch and read again, so no member is left
 * behind. Thread-safe.
 */
public final class OwnedRecords implements PresenceSink {
    private final Ownership ownership;
    private final PresenceSink sink;
    private final Cache<String, Boolean> droppedRooms;
    private final Cache<String, Boolean> droppedUsers;

    /**
     * @param remember how long a dropped room or user is remembered: longer than an owner may be dead before its
     *                 shards move (the group's session timeout plus a rebalance)
     */
    public OwnedRecords(Ownership ownership, PresenceSink sink, Duration remember, Ticker ticker) {
        this.ownership = Objects.requireNonNull(ownership, "ownership");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.droppedRooms = remembered(remember, ticker);
        this.droppedUsers = remembered(remember, ticker);
    }

    @Override
    public void write(PresenceRecord record) {
        String key = record.hasRoom() ? record.getRoom().getRoom() : record.getUser().getUserId();
        if (ownership.owns(key)) {
            sink.write(record);
        } else {
            (record.hasRoom() ? droppedRooms : droppedUsers).put(key, Boolean.TRUE);
        }
    }

    /** Shards were taken over: the next flush writes a record for each of their rooms and users. */
    public void taken(Predicate<String> keys, PresenceState state) {
        state.forceRecords(keys, matching(droppedRooms, keys), matching(droppedUsers, keys));
    }

    @Override
    public long failures() {
        return sink.failures();
    }

    @Override
    public void close() {
        sink.close();
    }

    private static List<String> matching(Cache<String, Boolean> dropped, Predicate<String> keys) {
        return dropped.asMap().keySet().stream().filter(keys).toList();
    }

    private static Cache<String, Boolean> remembered(Duration remember, Ticker ticker) {
        return Caffeine.newBuilder().expireAfterWrite(remember).maximumSize(1_000_000).ticker(ticker)
                .executor(Runnable::run).build();
    }
}
