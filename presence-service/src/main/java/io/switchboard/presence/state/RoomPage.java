package io.switchboard.presence.state;

import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.internal.v1.RoomMembersResponse;

import java.util.Iterator;
import java.util.NavigableMap;
import java.util.function.Function;

/**
 * One page of a room's members as of the room's last record: the live members, except that those the delta
 * batcher saw change since its last flush are shown as they were then (or left out, if they were no member). Both
 * are sorted by user id, so the page is a merge of the two. Stateless; called under {@link PresenceState}'s lock.
 */
final class RoomPage {
    private RoomPage() {
    }

    /**
     * @param before the batcher's "before" states of the room ({@link DeltaBatcher#roomBefore})
     * @param live   the member as it is now, for a user id in {@code room.devices}
     */
    static RoomMembersResponse asOfLastRecord(RoomMembersResponse.Builder response, RoomEntry room,
                                              NavigableMap<String, Member> before, String afterUser, int limit,
                                              Function<String, Member> live) {
        Iterator<String> current = room.devices.tailMap(afterUser, false).keySet().iterator();
        Iterator<String> changed = before.tailMap(afterUser, false).keySet().iterator();
        String nextCurrent = next(current);
        String nextChanged = next(changed);
        String last = "";
        boolean hasMore = false;
        while (nextCurrent != null || nextChanged != null) {
            String userId = nextChanged == null || (nextCurrent != null && nextCurrent.compareTo(nextChanged) < 0)
                    ? nextCurrent : nextChanged;
            Member shown;
            if (userId.equals(nextChanged)) {
                Member was = before.get(userId);
                shown = DeltaBatcher.absent(was) ? null : was;
                nextChanged = next(changed);
            } else {
                shown = live.apply(userId);
            }
            if (userId.equals(nextCurrent)) {
                nextCurrent = next(current);
            }
            if (shown == null) {
                continue;
            }
            if (response.getMembersCount() == limit) {
                hasMore = true;
                break;
            }
            response.addMembers(shown);
            last = userId;
        }
        return response.setHasMore(hasMore)
                .setNextAfterUser(hasMore ? last : "")
                .setUsers(room.flushedUsers)
                .setConnections(room.flushedConnections)
                .setVersion(room.version)
                .build();
    }

    private static String next(Iterator<String> it) {
        return it.hasNext() ? it.next() : null;
    }
}
