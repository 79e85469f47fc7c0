package io.switchboard.presence.state;

import com.google.protobuf.Timestamp;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.proto.internal.v1.UserPresence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Accumulates what changed during one delta interval and turns it into presence records.
 *
 * <p>It remembers, for every (room, user) and every user touched since the last flush, the state <em>before</em>
 * the first touch; {@link #flush} compares that with the state now. So a join and a leave inside one interval
 * cancel out, a Sync that restates what is already known produces nothing, and each changed room yields one
 * record per interval however many changes it saw: the outbound traffic per subscriber is bounded by the
 * interval, not by the churn. A room whose delta would be large (more users than {@code largeRoomThreshold},
 * or more changed members than {@code maxDeltaMembers}) gets a summary: counts only.
 *
 * <p>Each room record moves the room from the version of its previous record to the flush's version, and the
 * "before" states are exactly the members as of the room's last record: {@link #roomBefore} lets member pages show
 * that state, so that a page plus the records after its version always add up to the truth, even when changes
 * cancel out (a user's old connection leaving and new one joining in one interval produce no record).
 *
 * <p>Not thread-safe: confined to {@link PresenceState}'s lock, which also guarantees that the "before" state
 * is read before the mutation it precedes.
 */
final class DeltaBatcher {
    /** Marks "not a member before": a default Member never names a real user. */
    private static final Member ABSENT = Member.getDefaultInstance();

    /** What {@link #flush} reads of the current state. */
    interface View {
        /** The user's membership of the room now, or null when not a member. */
        Member member(String room, String userId);

        long users(String room);

        long connections(String room);

        /** The user's presence now ({@link UserSnapshot#OFFLINE} when offline). */
        UserSnapshot user(String userId);

        /** The user's presence as written on the topic. */
        UserPresence userRecord(String userId);

        /** The version of the room's last record; 0 when it has none (no members since it last emptied). */
        long version(String room);

        /** The flush is done with a room it looked at: it wrote a record at {@code version}, or none ({@code written} false). */
        void flushed(String room, boolean written, long version);
    }

    /**
     * The part of a user's presence whose change is announced with a user record: online state, status, and
     * which connections (hence which gateways) the user has, so that routers never keep a stale gateway list.
     */
    record UserSnapshot(PresenceStatus status, String text, Set<Conn> connections) {
        static final UserSnapshot OFFLINE = new UserSnapshot(PresenceStatus.OFFLINE, "", Set.of());
    }

    private final int largeRoomThreshold;
    private final int maxDeltaMembers;
    private Map<String, NavigableMap<String, Member>> roomsBefore = new HashMap<>();
    private Map<String, UserSnapshot> usersBefore = new HashMap<>();
    /** Rooms that get a record at the next flush even without a change (a record of theirs was lost). */
    private Set<String> forced = new HashSet<>();
    /** Users that get a record at the next flush even without a change (their shard changed owner). */
    private Set<String> forcedUsers = new HashSet<>();

    DeltaBatcher(int largeRoomThreshold, int maxDeltaMembers) {
        this.largeRoomThreshold = largeRoomThreshold;
        this.maxDeltaMembers = maxDeltaMembers;
    }

    /** Call before changing the user's membership of the room; {@code current} is null when not a member. */
    void beforeRoomChange(String room, String userId, Member current) {
        roomsBefore.computeIfAbsent(room, r -> new TreeMap<>()).putIfAbsent(userId, current == null ? ABSENT : current);
    }

    /**
     * The members of the room touched since the last flush, as they were at the last flush, by user id; a user who
     * was not a member then maps to a Member for which {@link #absent} is true. Empty when nothing changed.
     */
    NavigableMap<String, Member> roomBefore(String room) {
        NavigableMap<String, Member> before = roomsBefore.get(room);
        return before == null ? Collections.emptyNavigableMap() : before;
    }

    /** Whether {@code member}, taken from {@link #roomBefore}, stands for "not a member". */
    static boolean absent(Member member) {
        return member == ABSENT;
    }

    /** The next flush writes a record for the room even if nothing changed, so that clients notice a lost one. */
    void force(String room) {
        forced.add(room);
    }

    /** The next flush writes a record for the user even if nothing changed (so that routers drop cached lookups). */
    void forceUser(String userId) {
        forcedUsers.add(userId);
    }

    /** Whether the (room, user) pair already has its "before" state recorded in this interval. */
    boolean roomTouched(String room, String userId) {
        Map<String, Member> users = roomsBefore.get(room);
        return users != null && users.containsKey(userId);
    }

    /** Call before changing the user's online state, status or connections. */
    void beforeUserChange(String userId, UserSnapshot current) {
        usersBefore.putIfAbsent(userId, current);
    }

    boolean userTouched(String userId) {
        return usersBefore.containsKey(userId);
    }

    /**
     * The records for what really changed since the last flush (rooms first, each sorted), and a fresh interval.
     * Room records carry {@code epoch}, the room's previous version as {@code from_version} and {@code version}.
     */
    List<PresenceRecord> flush(Instant now, View view, String epoch, long version) {
        Timestamp timestamp = Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
        List<PresenceRecord> records = new ArrayList<>();
        Set<String> rooms = new TreeSet<>(roomsBefore.keySet());
        rooms.addAll(forced);
        for (String room : rooms) {
            PresenceEvent event = roomEvent(room, roomBefore(room), view, forced.contains(room), timestamp);
            if (event != null) {
                records.add(PresenceRecord.newBuilder().setRoom(event.toBuilder().setEpoch(epoch)
                        .setFromVersion(view.version(room)).setVersion(version)).build());
            }
            view.flushed(room, event != null, version);
        }
        Set<String> users = new TreeSet<>(usersBefore.keySet());
        users.addAll(forcedUsers);
        for (String userId : users) {
            UserSnapshot before = usersBefore.get(userId);
            if (forcedUsers.contains(userId) || !view.user(userId).equals(before)) {
                records.add(PresenceRecord.newBuilder().setUser(view.userRecord(userId)).build());
            }
        }
        // Fresh maps rather than clear(): a burst (say, a resync of 100k connections) must not pin its capacity.
        roomsBefore = new HashMap<>();
        usersBefore = new HashMap<>();
        forced = new HashSet<>();
        forcedUsers = new HashSet<>();
        return records;
    }

    private PresenceEvent roomEvent(String room, Map<String, Member> before, View view, boolean force,
                                    Timestamp timestamp) {
        List<Member> joined = new ArrayList<>();
        List<String> left = new ArrayList<>();
        List<Member> updated = new ArrayList<>();
        before.forEach((userId, was) -> {
            Member now = view.member(room, userId);
            if (was == ABSENT && now != null) {
                joined.add(now);
            } else if (was != ABSENT && now == null) {
                left.add(userId);
            } else if (was != ABSENT && !was.equals(now)) {
                updated.add(now);
            }
        });
        if (joined.isEmpty() && left.isEmpty() && updated.isEmpty() && !force) {
            return null;
        }
        long users = view.users(room);
        PresenceEvent.Builder event = PresenceEvent.newBuilder()
                .setRoom(room)
                .setUsers(users)
                .setConnections(view.connections(room))
                .setTimestamp(timestamp);
        event.setJoinedTotal(joined.size()).setLeftTotal(left.size());
        if (users > largeRoomThreshold || joined.size() + left.size() + updated.size() > maxDeltaMembers) {
            event.setSummary(true);
        } else {
            event.addAllJoined(joined);
            event.addAllLeft(left);
            event.addAllUpdated(updated);
        }
        return event.build();
    }
}
