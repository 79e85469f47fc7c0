package io.switchboard.auth.capability;

import java.util.Map;
import java.util.Optional;

/**
 * What a client token grants: its {@code rooms} claim and its {@code direct} claim, each absent when the token
 * has none (then namespace policies, respectively the gateway's direct-message policy, decide). Immutable.
 *
 * @param rooms  the {@code rooms} claim
 * @param direct the {@code direct} claim
 */
public record Capabilities(Optional<RoomGrants> rooms, Optional<DirectGrants> direct) {
    /** A token without either claim. */
    public static final Capabilities NONE = new Capabilities(Optional.empty(), Optional.empty());

    /**
     * Reads the {@code rooms} and {@code direct} claims of a verified token.
     *
     * @throws CapabilityException when either claim is malformed (the connection should be refused with it)
     */
    public static Capabilities fromClaims(Map<String, Object> claims) throws CapabilityException {
        Object rooms = claims.get(RoomGrants.CLAIM);
        Object direct = claims.get("direct");
        return new Capabilities(rooms == null ? Optional.empty() : Optional.of(RoomGrants.parse(rooms)),
                direct == null ? Optional.empty() : Optional.of(DirectGrants.parse(direct)));
    }
}
