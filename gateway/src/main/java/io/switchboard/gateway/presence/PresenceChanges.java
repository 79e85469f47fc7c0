package io.switchboard.gateway.presence;

import java.time.Instant;

import io.switchboard.proto.client.v1.PresenceStatus;

/**
 * Where sessions report what presence needs to know. Calls never block on I/O and may come from any thread;
 * implementations are thread-safe. Changes of a session that was never {@link #opened} (or is already
 * {@link #closed}) are ignored.
 */
public interface PresenceChanges {
    /** Presence disabled: every change is dropped. */
    PresenceChanges NONE = new PresenceChanges() {
        @Override
        public void opened(String sessionId, String userId, String client, Instant openedTime) {
        }

        @Override
        public void closed(String sessionId) {
        }

        @Override
        public void joined(String sessionId, String room) {
        }

        @Override
        public void left(String sessionId, String room) {
        }

        @Override
        public void status(String sessionId, PresenceStatus status, String text) {
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };

    /** A connection authenticated as {@code userId}. */
    void opened(String sessionId, String userId, String client, Instant openedTime);

    /** The connection is gone (it leaves every room it was in). */
    void closed(String sessionId);

    /** The connection subscribed to {@code room}. */
    void joined(String sessionId, String room);

    /** The connection no longer subscribes to {@code room}. */
    void left(String sessionId, String room);

    /** The user of the connection set a status. */
    void status(String sessionId, PresenceStatus status, String text);

    /** False when presence is not configured (SetStatus and PresenceQuery then answer UNAVAILABLE). */
    default boolean enabled() {
        return true;
    }
}
