package io.switchboard.gateway.ws;

import java.util.Objects;

import io.switchboard.gateway.presence.PresenceChanges;

/**
 * The phase-2 collaborators every connection of one gateway shares: ephemeral events, direct messages, presence
 * reporting and member queries. Immutable; every collaborator is thread-safe.
 *
 * @param ephemerals        sends Ephemeral frames to routers
 * @param directMessages    sends DirectMessage frames to routers
 * @param presence          where connection and membership changes are reported ({@link PresenceChanges#NONE}
 *                          when presence is not configured)
 * @param presenceQueries   answers PresenceQuery frames
 */
public record SessionFeatures(EphemeralHandler ephemerals, DirectMessageHandler directMessages,
                              PresenceChanges presence, PresenceQueryHandler presenceQueries) {
    public SessionFeatures {
        Objects.requireNonNull(ephemerals, "ephemerals");
        Objects.requireNonNull(directMessages, "directMessages");
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(presenceQueries, "presenceQueries");
    }
}
