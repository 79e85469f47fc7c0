package io.switchboard.client;

import io.switchboard.proto.client.v1.Ack;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes not yet acknowledged, in publish order, bounded in count and payload bytes. An entry keeps the
 * id it was given once; after a reconnect it is sent again unchanged, so the server stores it at most once
 * (a repeat is acknowledged with the original position). Not thread-safe: event loop only.
 */
final class OfflineQueue {
    /** One publish awaiting its ack. Mutable fields are touched on the event loop only. */
    static final class Entry {
        final String room;
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
            this.conflationKey = conflationKey;
            this.room = room;
            this.id = id;
            this.payload = payload;
            this.contentType = contentType;
            this.traceparent = traceparent;
        }
    }

    private final int maxMessages;
    private final long maxBytes;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private long bytes;

    OfflineQueue(int maxMessages, long maxBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    /** Adds {@code entry} unless that would exceed a bound or its id is already queued; returns whether it did. */
    boolean offer(Entry entry) {
        if (entries.size() >= maxMessages || bytes + entry.payload.length > maxBytes || entries.containsKey(entry.id)) {
            return false;
        }
        entries.put(entry.id, entry);
        bytes += entry.payload.length;
        return true;
    }

    Entry remove(String id) {
        Entry removed = entries.remove(id);
        if (removed != null) {
            bytes -= removed.payload.length;
        }
        return removed;
    }

    /** The entries in publish order (a copy: callers may remove while iterating). */
    List<Entry> inOrder() {
        return new ArrayList<>(entries.values());
    }

    Collection<Entry> view() {
        return entries.values();
    }

    int size() {
        return entries.size();
    }

    long bytes() {
        return bytes;
    }
}
