package io.switchboard.client;

import io.switchboard.proto.client.v1.Ack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes and stored direct messages not yet acknowledged, in call order, bounded in count and payload bytes. An
 * entry keeps the id it was given once; after a reconnect it is sent again unchanged, so the server stores it at most
 * once (a repeat is acknowledged with the original position). Not thread-safe: event loop only.
 */
final class OfflineQueue {
    /**
     * Where an entry goes, and so which entries keep their send order among themselves: a room's publishes, or the
     * stored direct messages to one user (the server keeps a connection's order per room, and a user's inbox is one).
     *
     * @param room   the room of a publish, else null
     * @param userId the target user of a stored direct message, else null
     */
    record Lane(String room, String userId) {
    }

    /** One publish or stored direct message awaiting its ack. Mutable fields are touched on the event loop only. */
    static final class Entry {
        /** The room of a publish; null for a stored direct message. */
        final String room;
        /** The target user of a stored direct message; null for a publish. */
        final String userId;
        final Lane lane;
        final String id;
        final byte[] payload;
        final String contentType;
        /** The W3C traceparent sent with every attempt, or null. */
        final String traceparent;
        /** The conflation key sent with every attempt, or null. */
        final String conflationKey;
        final CompletableFuture<Ack> future = new CompletableFuture<>();
        /** The request id of the send in flight, or 0 when not sent on the current connection. */
        int inFlightRequest;
        int attempts;
        boolean waitingRetry;
        Scheduler.Cancellable timeout;

        Entry(String room, String id, byte[] payload, String contentType) {
            this(room, id, payload, contentType, null);
        }

        Entry(String room, String id, byte[] payload, String contentType, String traceparent) {
            this(room, id, payload, contentType, traceparent, null);
        }

        Entry(String room, String id, byte[] payload, String contentType, String traceparent, String conflationKey) {
            this(room, null, id, payload, contentType, traceparent, conflationKey);
        }

        private Entry(String room, String userId, String id, byte[] payload, String contentType, String traceparent,
                      String conflationKey) {
            this.room = room;
            this.userId = userId;
            this.lane = new Lane(room, userId);
            this.conflationKey = conflationKey;
            this.id = id;
            this.payload = payload;
            this.contentType = contentType;
            this.traceparent = traceparent;
        }

        /** A stored direct message to {@code userId} (into their inbox). */
        static Entry direct(String userId, String id, byte[] payload, String contentType) {
            return new Entry(null, userId, id, payload, contentType, null, null);
        }

        /** What the entry is, for error messages: "room chat:1" or "user bob". */
        String target() {
            return room != null ? "room " + room : "user " + userId;
        }
    }

    /** An entry's place in the queue: its id within its lane (ids are the sender's per room, or per target user). */
    private record Key(Lane lane, String id) {
    }

    private final int maxMessages;
    private final long maxBytes;
    private final Map<Key, Entry> entries = new LinkedHashMap<>();
    private long bytes;

    OfflineQueue(int maxMessages, long maxBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /** Adds {@code entry} unless that would exceed a bound or its id is already queued in its lane; returns whether it did. */
    boolean offer(Entry entry) {
        if (entries.size() >= maxMessages || bytes + entry.payload.length > maxBytes || contains(entry)) {
            return false;
        }
        entries.put(new Key(entry.lane, entry.id), entry);
        bytes += entry.payload.length;
        return true;
    }

    /** Whether an entry with {@code entry}'s id is queued in its lane. */
    boolean contains(Entry entry) {
        return entries.containsKey(new Key(entry.lane, entry.id));
    }

    /** Removes {@code entry} (the one queued under its lane and id); returns it, or null when it was not queued. */
    Entry remove(Entry entry) {
        if (!entries.remove(new Key(entry.lane, entry.id), entry)) {
            return null;
        }
        bytes -= entry.payload.length;
        return entry;
    }

    /** The entries in call order (a copy: callers may remove while iterating). */
    List<Entry> inOrder() {
        return new ArrayList<>(entries.values());
    }

    int size() {
        return entries.size();
    }

    long bytes() {
        return bytes;
    }
}
