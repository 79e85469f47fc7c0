package io.switchboard.presence.state;

import static io.switchboard.presence.state.Changes.closed;
import static io.switchboard.presence.state.Changes.connection;
import static io.switchboard.presence.state.Changes.joined;
import static io.switchboard.presence.state.Changes.left;
import static io.switchboard.presence.state.Changes.opened;
import static io.switchboard.presence.state.Changes.report;
import static io.switchboard.presence.state.Changes.status;
import static io.switchboard.presence.state.Changes.sync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Room versions, pages as of the last record, the cancel-out case, lost records and the warm-up. */
class VersionedPresenceTest {
    private static final Duration LEASE = Duration.ofSeconds(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    private final PresenceState state = new PresenceState(clock, LEASE, 100, 50);

    private static Optional<PresenceEvent> room(List<PresenceRecord> records, String room) {
        return records.stream().filter(PresenceRecord::hasRoom).map(PresenceRecord::getRoom)
                .filter(e -> e.getRoom().equals(room)).findFirst();
    }

    private RoomMembersResponse page(String room) {
        return state.roomMembers(room, "", 1000);
    }

    private static List<String> ids(List<Member> members) {
        return members.stream().map(Member::getUserId).toList();
    }

    @Test
    void recordsChainFromVersionToVersionAndPagesSayWhichVersionTheyShow() {
        state.sync(sync("g1", "i1", 0, connection("a", "alice", "chat:a")));
        PresenceEvent first = room(state.drainDeltas(), "chat:a").orElseThrow();
        assertThat(first.getFromVersion()).isZero();
        assertThat(first.getVersion()).isPositive();
        assertThat(first.getEpoch()).isEqualTo(state.epoch()).isNotEmpty();

        state.report(report("g1", "i1", 1, opened("b", "bob"), joined("b", "chat:a")));
        // Not flushed yet: the page still shows the room as of the first record.
        assertThat(page("chat:a").getVersion()).isEqualTo(first.getVersion());
        assertThat(ids(page("chat:a").getMembersList())).containsExactly("alice");
        assertThat(page("chat:a").getUsers()).isEqualTo(1);

        PresenceEvent second = room(state.drainDeltas(), "chat:a").orElseThrow();
        assertThat(second.getFromVersion()).isEqualTo(first.getVersion());
        assertThat(second.getVersion()).isGreaterThan(first.getVersion());
        assertThat(page("chat:a").getVersion()).isEqualTo(second.getVersion());
        assertThat(ids(page("chat:a").getMembersList())).containsExactly("alice", "bob");
        assertThat(page("chat:a").getUsers()).isEqualTo(2);
        assertThat(page("chat:a").getConnections()).isEqualTo(2);

        // Another room's change does not move this room's version.
        state.report(report("g1", "i1", 2, joined("b", "chat:b")));
        assertThat(room(state.drainDeltas(), "chat:a")).isEmpty();
        assertThat(page("chat:a").getVersion()).isEqualTo(second.getVersion());
    }

    @Test
    void theCancelOutCaseLeavesEveryListCorrect() {
        // bob's old connection leaves and his new one joins within one interval, with a page read between them:
        // the batch nets to nothing and writes no record, so the page must not show the half-applied interval.
        state.sync(sync("g1", "i1", 0, connection("a", "alice", "chat:a"), connection("b-old", "bob", "chat:a")));
        state.sync(sync("g2", "i1", 0));
        MemberListReplica alice = new MemberListReplica();
        alice.readStarted();
        state.drainDeltas().stream().filter(PresenceRecord::hasRoom).map(PresenceRecord::getRoom).forEach(alice::event);
        alice.page(page("chat:a"));
        assertThat(ids(alice.members())).containsExactly("alice", "bob");

        assertThat(state.report(report("g1", "i1", 1, closed("b-old")))).isEqualTo(PresenceState.Outcome.APPLIED);
        // bob's reloaded page subscribes on another gateway and reads the list before that gateway reported him.
        MemberListReplica bob = new MemberListReplica();
        bob.readStarted();
        bob.page(page("chat:a"));
        assertThat(state.report(report("g2", "i1", 1, opened("b-new", "bob"), joined("b-new", "chat:a"))))
                .isEqualTo(PresenceState.Outcome.APPLIED);
        List<PresenceRecord> records = state.drainDeltas();
        assertThat(room(records, "chat:a")).as("leave and join cancel out").isEmpty();
        records.stream().filter(PresenceRecord::hasRoom).map(PresenceRecord::getRoom).forEach(e -> {
            alice.event(e);
            bob.event(e);
        });

        for (MemberListReplica list : List.of(alice, bob)) {
            assertThat(list.readNeeded()).isFalse();
            assertThat(list.members()).extracting(Member::getUserId, Member::getDevices)
                    .containsExactly(tuple("alice", 1), tuple("bob", 1));
        }
        assertThat(page("chat:a").getMembersList()).isEqualTo(alice.members());
    }

    @Test
    void aPageReadMidIntervalPlusTheNextRecordIsTheTruth() {
        state.sync(sync("g1", "i1", 0, connection("a", "alice", "chat:a")));
        state.drainDeltas();
        state.report(report("g1", "i1", 1, opened("b", "bob"), joined("b", "chat:a"), status("a", PresenceStatus.AWAY,
                "lunch")));
        MemberListReplica carol = new MemberListReplica();
        carol.readStarted();
        RoomMembersResponse midInterval = page("chat:a");
        assertThat(ids(midInterval.getMembersList())).containsExactly("alice");
        assertThat(midInterval.getMembers(0).getStatus()).isEqualTo(PresenceStatus.ONLINE);
        state.report(report("g1", "i1", 2, left("a", "chat:a")));
        PresenceEvent next = room(state.drainDeltas(), "chat:a").orElseThrow();
        // The record arrives before the page's answer: buffered, then applied on top of it.
        carol.event(next);
        carol.page(midInterval);
        assertThat(ids(carol.members())).containsExactly("bob");
        assertThat(carol.version()).isEqualTo(next.getVersion());
        assertThat(carol.members()).isEqualTo(page("chat:a").getMembersList());
    }

    @Test
    void pagingMidIntervalWalksTheRoomAsOfItsLastRecord() {
        state.sync(sync("g1", "i1", 0, connection("a", "ann", "chat:a"), connection("c", "cid", "chat:a"),
                connection("e", "eve", "chat:a")));
        long version = room(state.drainDeltas(), "chat:a").orElseThrow().getVersion();
        state.report(report("g1", "i1", 1, opened("b", "bob"), joined("b", "chat:a"), opened("d", "dee"),
                joined("d", "chat:a"), left("c", "chat:a"), status("e", PresenceStatus.BUSY, "")));
        List<Member> walked = new java.util.ArrayList<>();
        String after = "";
        for (int pages = 0; pages < 10; pages++) {
            RoomMembersResponse page = state.roomMembers("chat:a", after, 1);
            assertThat(page.getVersion()).isEqualTo(version);
            assertThat(page.getUsers()).isEqualTo(3);
            walked.addAll(page.getMembersList());
            if (!page.getHasMore()) {
                break;
            }
            after = page.getNextAfterUser();
        }
        assertThat(walked).extracting(Member::getUserId, Member::getStatus).containsExactly(
                tuple("ann", PresenceStatus.ONLINE), tuple("cid", PresenceStatus.ONLINE), tuple("eve", PresenceStatus.ONLINE));
        assertThat(state.roomMembers("chat:a", "ann", 2).getMembersList()).extracting(Member::getUserId)
                .containsExactly("cid", "eve");
        assertThat(state.roomMembers("chat:a", "cid", 5).getHasMore()).isFalse();
    }

    @Test
    void anEmptiedRoomStartsAgainFromVersionZeroWithAHigherVersion() {
        state.sync(sync("g1", "i1", 0, connection("a", "alice", "chat:a")));
        PresenceEvent created = room(state.drainDeltas(), "chat:a").orElseThrow();
        state.report(report("g1", "i1", 1, left("a", "chat:a")));
        PresenceEvent emptied = room(state.drainDeltas(), "chat:a").orElseThrow();
        assertThat(emptied.getFromVersion()).isEqualTo(created.getVersion());
        assertThat(emptied.getUsers()).isZero();
        assertThat(page("chat:a").getVersion()).isZero();
        assertThat(state.counts().rooms()).isZero();

        state.report(report("g1", "i1", 2, joined("a", "chat:a")));
        PresenceEvent again = room(state.drainDeltas(), "chat:a").orElseThrow();
        assertThat(again.getFromVersion()).isZero();
        assertThat(again.getVersion()).isGreaterThan(emptied.getVersion());
        // A client that followed the room to empty sees a gap and reads again; one that read the empty page applies it.
        MemberListReplica follower = new MemberListReplica();
        follower.readStarted();
        follower.page(RoomMembersResponse.newBuilder().setEpoch(state.epoch()).setVersion(emptied.getVersion()).build());
        follower.event(again);
        assertThat(follower.readNeeded()).isTrue();
        MemberListReplica newcomer = new MemberListReplica();
        newcomer.readStarted();
        newcomer.page(RoomMembersResponse.newBuilder().setEpoch(state.epoch()).build());
        newcomer.event(again);
        assertThat(ids(newcomer.members())).containsExactly("alice");
    }

    @Test
    void aLostRecordMakesTheRoomsNextRecordRevealTheGap() {
        state.sync(sync("g1", "i1", 0, connection("a", "alice", "chat:a")));
        PresenceEvent seen = room(state.drainDeltas(), "chat:a").orElseThrow();
        MemberListReplica list = new MemberListReplica();
        list.readStarted();
        list.page(page("chat:a"));

        state.report(report("g1", "i1", 1, opened("b", "bob"), joined("b", "chat:a")));
        List<PresenceRecord> lostBatch = state.drainDeltas();
        PresenceEvent lost = room(lostBatch, "chat:a").orElseThrow();
        state.recordLost(PresenceRecord.newBuilder().setRoom(lost).build());
        // Nothing changes in the room, but its next flush writes a record anyway.
        PresenceEvent marker = room(state.drainDeltas(), "chat:a").orElseThrow();
        assertThat(marker.getFromVersion()).isEqualTo(lost.getVersion()).isNotEqualTo(seen.getVersion());
        assertThat(marker.getJoinedList()).isEmpty();
        assertThat(marker.getLeftList()).isEmpty();
        assertThat(marker.getUsers()).isEqualTo(2);
        list.event(marker);
        assertThat(list.readNeeded()).isTrue();
        list.readStarted();
        list.page(page("chat:a"));
        assertThat(ids(list.members())).containsExactly("alice", "bob");
        assertThat(room(state.drainDeltas(), "chat:a")).as("forced once").isEmpty();
    }

    @Test
    void theWarmUpHoldsRecordsBackThenWritesTheWholeRoomAtOnce() {
        PresenceState fresh = new PresenceState(clock, new PresenceState.Settings(LEASE, Duration.ZERO,
                Duration.ofMillis(2500), 100, 50));
        assertThat(fresh.warmingUp()).isTrue();
        fresh.sync(sync("g1", "i1", 0, connection("a", "alice", "chat:a")));
        assertThat(fresh.drainDeltas()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        fresh.sync(sync("g2", "i1", 0, connection("b", "bob", "chat:a")));
        assertThat(fresh.drainDeltas()).isEmpty();
        clock.advance(Duration.ofMillis(1500));
        assertThat(fresh.warmingUp()).isFalse();
        PresenceEvent all = room(fresh.drainDeltas(), "chat:a").orElseThrow();
        assertThat(all.getFromVersion()).isZero();
        assertThat(all.getJoinedList()).extracting(Member::getUserId).containsExactly("alice", "bob");
        assertThat(fresh.epoch()).isNotEqualTo(state.epoch());
    }
}
