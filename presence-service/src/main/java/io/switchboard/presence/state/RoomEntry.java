package io.switchboard.presence.state;

import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A room's members: subscribed connections per user, sorted by user id for paged RoomMembers. Exists only while
 * a connection is subscribed. Not thread-safe: confined to {@link PresenceState}'s lock.
 */
final class RoomEntry {
    /** user id -> connections of that user subscribed to the room (always >= 1). */
    final NavigableMap<String, Integer> devices = new TreeMap<>();
    long connections;
}
