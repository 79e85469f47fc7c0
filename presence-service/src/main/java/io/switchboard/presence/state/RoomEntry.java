package io.switchboard.presence.state;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A room's members and its presence version. Members are sorted by user id for paged RoomMembers. A member whose
 * last connection closed stays, counted as one device, while its leave grace runs ({@link #lingering}). The entry
 * lives while it has members or changes the delta batcher has not flushed yet. Not thread-safe: confined to
 * {@link PresenceState}'s lock.
 */
final class RoomEntry {
    /** user id -> devices shown: connections of that user subscribed to the room, or 1 while lingering (always >= 1). */
    final NavigableMap<String, Integer> devices = new TreeMap<>();
    /** Members without a subscribed connection, kept until the deadline (their leave grace). */
    final Map<String, Instant> lingering = new HashMap<>();
    /** The sum of {@link #devices}. */
    long connections;
    /** The version of the room's last written record; 0 before the first. */
    long version;
    /** Users and connections as of {@link #version} (what pages report). */
    long flushedUsers;
    long flushedConnections;

    boolean isEmpty() {
        return devices.isEmpty();
    }
}
