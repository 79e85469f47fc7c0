package io.switchboard.presence.state;

import io.switchboard.proto.client.v1.PresenceStatus;

import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A user that is online, or was until less than the leave grace ago: the status shared by all of their devices
 * (last writer wins) and their connections on every gateway. Exists while the user has a connection and, after
 * the last one closed, until {@link #lingerUntil} and while it lingers in a room; so a reload keeps the status,
 * and a user gone for longer comes back ONLINE. Not thread-safe: confined to {@link PresenceState}'s lock.
 */
final class UserEntry {
    final String userId;
    PresenceStatus status = PresenceStatus.ONLINE;
    String text = "";
    /** Identity set: see {@link Conn}. */
    final Set<Conn> connections = new LinkedHashSet<>();
    /** While the user has no connection: when the entry may go (null: as soon as it lingers in no room). */
    Instant lingerUntil;
    /** Rooms where the user is a member only by the leave grace (see {@link RoomEntry#lingering}). */
    final Set<String> lingeringRooms = new HashSet<>();

    UserEntry(String userId) {
        this.userId = userId;
    }

    boolean online() {
        return !connections.isEmpty();
    }
}
