package io.switchboard.client;

import io.switchboard.proto.client.v1.EphemeralEvent;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.RecoveryFailure;
import java.util.Set;

/**
 * Receives one room's events, on the client's event thread, in order; must not block. Messages arrive in
 * position order, each exactly once per client, also across reconnects. Only {@link #onMessage} is required.
 * Files sent into the room (or, for the inbox, to the user) arrive put together, as a {@link FileListener}.
 */
@FunctionalInterface
public interface RoomListener extends FileListener {
    /** A message of the room, never one already delivered to this client. */
    void onMessage(Message message);

    /** A batched membership change (only for subscriptions made with presence). */
    default void onPresence(PresenceEvent event) {
    }

    /**
     * The room's member list changed (only for subscriptions made with presence): the client reads it on every
     * (re)subscription and moves it with presence events by their versions, so it stays right across reconnects
     * and presence-service restarts (docs/protocol.md section 11.1).
     */
    default void onMembers(MemberList members) {
    }

    /**
     * The users currently typing in the room changed: someone started, stopped, or their indicator expired
     * (ttl elapsed without renewal). Other devices of this user count; this connection's own typing does not.
     */
    default void onTyping(Set<String> typingUsers) {
    }

    /** An ephemeral event of any kind, including "typing" (which also drives {@link #onTyping}). */
    default void onEphemeral(EphemeralEvent event) {
    }

    /**
     * A resume could not recover every missed message (see docs/protocol.md section 10): the subscription is
     * live, but reload the room's state (e.g. page history) rather than assume nothing was missed.
     */
    default void onRecoveryFailure(RecoveryFailure failure) {
    }

    /** The subscription ended without the application asking: a backend closed the room, or it was refused. */
    default void onClosed(ErrorCode reason, String message) {
    }

    /**
     * A file sent into the room ({@link SwitchboardClient#sendFile}), or for the inbox subscription to this user
     * ({@link SwitchboardClient#sendFileToUser}), arrived whole, its SHA-256 checked (docs/protocol.md section 16).
     * Its manifest and chunk messages do not reach {@link #onMessage}.
     */
    @Override
    default void onFile(ReceivedFile file) {
    }
}
