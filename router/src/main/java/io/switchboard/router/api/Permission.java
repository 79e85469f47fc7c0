package io.switchboard.router.api;

import java.util.Locale;
import java.util.Optional;

/** A permission a service token grants through its space-separated {@code scope} claim. Immutable. */
public enum Permission {
    /** Publish, PublishStream, PublishMany, SendToUser. */
    PUBLISH,
    /** GetRoomPresence, GetUserPresence, ReadHistory. */
    READ,
    /** Disconnect, CloseRoom, ListConnections, SubscribeUser, UnsubscribeUser. */
    CONTROL;

    /** The name used in the {@code scope} claim. */
    public String scope() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The permission a scope word names, or empty when it names none. */
    public static Optional<Permission> ofScope(String word) {
        for (Permission p : values()) {
            if (p.scope().equals(word)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
