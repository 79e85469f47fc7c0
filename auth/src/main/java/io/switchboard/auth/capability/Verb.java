package io.switchboard.auth.capability;

import java.util.Locale;
import java.util.Optional;

/** What a connection may do in a room; the names are those of the {@code rooms} claim. */
public enum Verb {
    /** Subscribe (also resuming) and receive the room's messages. */
    SUBSCRIBE,
    /** Publish into the room. */
    PUBLISH,
    /** Page the room's history. */
    HISTORY,
    /** List the room's members and receive its presence events. */
    PRESENCE,
    /** Send ephemeral events (typing...) to the room. */
    EPHEMERAL;

    /** The name in claims and configuration: {@code subscribe}, {@code publish}... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The verb {@code name} names, or empty. */
    public static Optional<Verb> of(String name) {
        for (Verb v : values()) {
            if (v.wireName().equals(name)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
