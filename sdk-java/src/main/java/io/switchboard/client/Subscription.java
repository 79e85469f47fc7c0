package io.switchboard.client;

import io.switchboard.proto.client.v1.Subscribed;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A room subscription; it survives reconnects (resumed automatically) until unsubscribed. Thread-safe. */
public interface Subscription extends AutoCloseable {
    String room();

    /**
     * Completes with the first Subscribed of this subscription; fails if the server refuses it (e.g.
     * INVALID_ROOM, TOO_MANY_SUBSCRIPTIONS) or the client closes first.
     */
    CompletableFuture<Subscribed> ready();

    /**
     * The room's member list as the client keeps it (docs/protocol.md section 11.1), for a subscription made with
     * presence; empty otherwise. Changes are also announced to {@link RoomListener#onMembers}.
     */
    default Optional<MemberList> members() {
        return Optional.empty();
    }

    /** Stops the subscription; completes when the server confirmed (or at once when offline). */
    CompletableFuture<Void> unsubscribe();

    /** Same as {@link #unsubscribe()} without waiting. */
    @Override
    default void close() {
        unsubscribe();
    }
}
