package io.switchboard.client;

import io.switchboard.proto.client.v1.Member;
import java.util.List;
import java.util.Objects;

/**
 * A room's member list as the client keeps it for a subscription with presence: read on every (re)subscription,
 * moved by the room's presence events, read again on a gap or a presence-service restart (docs/protocol.md
 * section 11.1). Immutable.
 *
 * @param members     by user id, ascending
 * @param users       distinct users in the room
 * @param connections subscribed connections in the room
 * @param complete    false when the room has more members than the client lists ({@code memberListLimit}: then
 *                    {@code members} is the first part as last read, while the counts stay exact), and before
 *                    the first page arrived
 * @param loaded      true once a page arrived
 * @param version     the room's presence version the list shows
 * @param epoch       the presence service's run the version belongs to
 */
public record MemberList(String room, List<Member> members, long users, long connections, boolean complete,
                         boolean loaded, long version, String epoch) {
    public MemberList {
        Objects.requireNonNull(room, "room");
        members = List.copyOf(members);
        Objects.requireNonNull(epoch, "epoch");
    }

    /** Nothing known yet. */
    static MemberList empty(String room) {
        return new MemberList(room, List.of(), 0, 0, false, false, 0, "");
    }
}
