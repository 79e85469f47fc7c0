package io.switchboard.presence.state;

import io.switchboard.proto.client.v1.PresenceStatus;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * An online user: the status shared by all of their devices (last writer wins) and their connections on every
 * gateway. Exists only while the user has a connection, so the status resets when the last one goes. Not
 * thread-safe: confined to {@link PresenceState}'s lock.
 */
final class UserEntry {
    final String userId;
    PresenceStatus status = PresenceStatus.ONLINE;
    String text = "";
    /** Identity set: see {@link Conn}. */
    final Set<Conn> connections = new LinkedHashSet<>();

    UserEntry(String userId) {
        this.userId = userId;
    }
}
