package io.switchboard.presence.state;

import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.internal.v1.RoomMembersResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A client's member list of one room, kept by the rule of docs/protocol.md section 11.1 (the SDKs' rule): read a
 * page, buffer the records that arrive before it, then apply exactly the records whose {@code from_version} is
 * the version held, skip those at or below it, and read again on a gap, a new epoch or a summary. Tests call
 * {@link #page} when the read they started is answered. Not thread-safe.
 */
public final class MemberListReplica {
    private final Map<String, Member> members = new TreeMap<>();
    private final List<PresenceEvent> buffered = new ArrayList<>();
    private String epoch;
    private long version;
    private boolean loaded;
    private boolean readNeeded = true;
    private int reads;

    /** True when the replica wants a (new) page: at the start, after a gap, a new epoch or a summary. */
    public boolean readNeeded() {
        return readNeeded;
    }

    /** The test starts a read now; its answer comes later through {@link #page}. Events meanwhile are buffered. */
    public void readStarted() {
        readNeeded = false;
        loaded = false;
        reads++;
    }

    public void page(RoomMembersResponse page) {
        members.clear();
        page.getMembersList().forEach(m -> members.put(m.getUserId(), m));
        epoch = page.getEpoch();
        version = page.getVersion();
        loaded = true;
        List<PresenceEvent> pending = List.copyOf(buffered);
        buffered.clear();
        pending.forEach(this::event);
    }

    public void event(PresenceEvent e) {
        if (!loaded) {
            buffered.add(e);
            return;
        }
        if (readNeeded) {
            return; // a read is due anyway
        }
        if (!e.getEpoch().equals(epoch)) {
            readNeeded = true;
        } else if (e.getVersion() <= version) {
            return; // already in the page
        } else if (e.getFromVersion() != version || e.getSummary()) {
            readNeeded = true;
        } else {
            e.getJoinedList().forEach(m -> members.put(m.getUserId(), m));
            e.getUpdatedList().forEach(m -> members.put(m.getUserId(), m));
            e.getLeftList().forEach(members::remove);
            version = e.getVersion();
        }
    }

    /** The list as the application would show it. */
    public List<Member> members() {
        return List.copyOf(members.values());
    }

    long version() {
        return version;
    }

    boolean loaded() {
        return loaded;
    }

    public int reads() {
        return reads;
    }
}
