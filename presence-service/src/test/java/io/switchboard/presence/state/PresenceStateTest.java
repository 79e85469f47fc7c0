package io.switchboard.presence.state;

import io.switchboard.presence.state.PresenceState.Outcome;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.Connection;
import io.switchboard.proto.internal.v1.GatewayConnectionsResponse;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.UserPresence;
import io.switchboard.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.switchboard.presence.state.Changes.closed;
import static io.switchboard.presence.state.Changes.connection;
import static io.switchboard.presence.state.Changes.joined;
import static io.switchboard.presence.state.Changes.left;
import static io.switchboard.presence.state.Changes.opened;
import static io.switchboard.presence.state.Changes.report;
import static io.switchboard.presence.state.Changes.status;
import static io.switchboard.presence.state.Changes.sync;
import static org.assertj.core.api.Assertions.assertThat;

class PresenceStateTest {
    private static final Duration LEASE = Duration.ofSeconds(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    private PresenceState state = new PresenceState(clock, LEASE, 100, 50);

    private static Map<String, PresenceEvent> rooms(List<PresenceRecord> records) {
        return records.stream().filter(PresenceRecord::hasRoom).map(PresenceRecord::getRoom)
                .collect(Collectors.toMap(PresenceEvent::getRoom, Function.identity()));
    }

    private static Map<String, UserPresence> users(List<PresenceRecord> records) {
        return records.stream().filter(PresenceRecord::hasUser).map(PresenceRecord::getUser)
                .collect(Collectors.toMap(UserPresence::getUserId, Function.identity()));
    }

    private static List<String> userIds(List<Member> members) {
        return members.stream().map(Member::getUserId).toList();
    }

    @Test
    void unknownGatewayMustSyncFirst() {
        assertThat(state.report(report("g1", "i1", 1, opened("s1", "alice")))).isEqualTo(Outcome.UNKNOWN_GATEWAY);
        assertThat(state.userPresence("alice").getStatus()).isEqualTo(PresenceStatus.OFFLINE);

        state.sync(sync("g1", "i1", 0));
        assertThat(state.report(report("g1", "i1", 1, opened("s1", "alice")))).isEqualTo(Outcome.APPLIED);
        assertThat(state.userPresence("alice").getConnectionsList()).extracting(Connection::getGatewayId)
                .containsExactly("g1");
    }

    @Test
    void leaseExpiryTakesTheGatewaysUsersOffline() {
        state.sync(sync("g1", "i1", 0, connection("s1", "alice", "chat:a")));
        state.sync(sync("g2", "i1", 0, connection("s2", "bob", "chat:a")));
        state.drainDeltas();

        clock.advance(Duration.ofSeconds(3));
        assertThat(state.report(report("g2", "i1", 1))).isEqualTo(Outcome.APPLIED);  // heartbeat renews g2 only
        clock.advance(Duration.ofSeconds(2));
        assertThat(state.expireLeases()).isEqualTo(1);

        List<PresenceRecord> records = state.drainDeltas();
        PresenceEvent room = rooms(records).get("chat:a");
        assertThat(room.getLeftList()).containsExactly("alice");
        assertThat(room.getJoinedList()).isEmpty();
        assertThat(room.getUsers()).isEqualTo(1);
        assertThat(users(records)).containsOnlyKeys("alice");
        assertThat(users(records).get("alice").getStatus()).isEqualTo(PresenceStatus.OFFLINE);
        assertThat(state.report(report("g1", "i1", 1))).isEqualTo(Outcome.UNKNOWN_GATEWAY);
        assertThat(state.counts()).isEqualTo(new PresenceState.Counts(1, 1, 1, 1));
    }

    @Test
    void aLateReportFindsItsLeaseExpiredEvenBeforeTheReaperRuns() {
        state.sync(sync("g1", "i1", 0, connection("s1", "alice", "chat:a")));
        clock.advance(LEASE);
        assertThat(state.report(report("g1", "i1", 1))).isEqualTo(Outcome.LEASE_EXPIRED);
        assertThat(state.roomCount("chat:a").getUsers()).isZero();
    }

    @Test
    void aUserGoesOfflineOnlyWhenTheLastDeviceLeaves() {
        state.sync(sync("g1", "i1", 0));
        state.sync(sync("g2", "i1", 0));
        state.report(report("g1", "i1", 1, opened("s1", "alice"), joined("s1", "chat:a")));
        state.report(report("g2", "i1", 1, opened("s2", "alice"), joined("s2", "chat:a")));
        List<PresenceRecord> first = state.drainDeltas();
        assertThat(userIds(rooms(first).get("chat:a").getJoinedList())).containsExactly("alice");
        assertThat(rooms(first).get("chat:a").getJoinedList().get(0).getDevices()).isEqualTo(2);
        assertThat(rooms(first).get("chat:a").getConnections()).isEqualTo(2);

        state.report(report("g1", "i1", 2, closed("s1")));
        List<PresenceRecord> second = state.drainDeltas();
        PresenceEvent room = rooms(second).get("chat:a");
        assertThat(room.getLeftList()).isEmpty();
        assertThat(room.getUpdatedList()).containsExactly(Member.newBuilder().setUserId("alice")
                .setStatus(PresenceStatus.ONLINE).setDevices(1).build());
        // Still online, but on one gateway fewer: routers must learn it.
        assertThat(users(second).get("alice").getStatus()).isEqualTo(PresenceStatus.ONLINE);
        assertThat(users(second).get("alice").getConnectionsList()).extracting(Connection::getGatewayId)
                .containsExactly("g2");

        state.report(report("g2", "i1", 2, closed("s2")));
        List<PresenceRecord> third = state.drainDeltas();
        assertThat(rooms(third).get("chat:a").getLeftList()).containsExactly("alice");
        assertThat(rooms(third).get("chat:a").getUsers()).isZero();
        assertThat(users(third).get("alice").getStatus()).isEqualTo(PresenceStatus.OFFLINE);
    }

    @Test
    void statusIsPerUserLastWriterWinsAndResetsWhenOffline() {
        state.sync(sync("g1", "i1", 0, connection("s1", "alice", "chat:a")));
        state.sync(sync("g2", "i1", 0, connection("s2", "alice")));
        state.drainDeltas();

        state.report(report("g1", "i1", 1, status("s1", PresenceStatus.AWAY, "lunch")));
        state.report(report("g2", "i1", 1, status("s2", PresenceStatus.BUSY, "call")));
        assertThat(state.userPresence("alice").getStatus()).isEqualTo(PresenceStatus.BUSY);
        assertThat(state.userPresence("alice").getStatusText()).isEqualTo("call");
        List<PresenceRecord> records = state.drainDeltas();
        assertThat(rooms(records).get("chat:a").getUpdatedList()).extracting(Member::getStatus)
                .containsExactly(PresenceStatus.BUSY);
        assertThat(users(records).get("alice").getStatus()).isEqualTo(PresenceStatus.BUSY);

        state.report(report("g1", "i1", 2, closed("s1")));
        state.report(report("g2", "i1", 2, closed("s2")));
        state.report(report("g2", "i1", 3, opened("s3", "alice")));
        assertThat(state.userPresence("alice").getStatus()).isEqualTo(PresenceStatus.ONLINE);
        assertThat(state.userPresence("alice").getStatusText()).isEmpty();
    }

    @Test
    void aSeqGapAsksForAResyncUntilTheSyncComes() {
        state.sync(sync("g1", "i1", 0));
        assertThat(state.report(report("g1", "i1", 1, opened("s1", "alice")))).isEqualTo(Outcome.APPLIED);
        assertThat(state.report(report("g1", "i1", 1, opened("s1", "alice")))).isEqualTo(Outcome.DUPLICATE);
        assertThat(state.report(report("g1", "i1", 3, opened("s3", "carol")))).isEqualTo(Outcome.SEQ_GAP);
        assertThat(state.report(report("g1", "i1", 4))).isEqualTo(Outcome.AWAITING_SYNC);
        assertThat(state.userPresence("carol").getStatus()).isEqualTo(PresenceStatus.OFFLINE);

        state.sync(sync("g1", "i1", 9, connection("s1", "alice"), connection("s3", "carol")));
        assertThat(state.report(report("g1", "i1", 10))).isEqualTo(Outcome.APPLIED);
        assertThat(state.userPresence("carol").getStatus()).isEqualTo(PresenceStatus.ONLINE);
    }

    @Test
    void aNewIncarnationReplacesTheOldOnesState() {
        state.sync(sync("g1", "i1", 0, connection("s1", "alice", "chat:a")));
        assertThat(state.report(report("g1", "i2", 1))).isEqualTo(Outcome.NEW_INCARNATION);
        assertThat(state.userPresence("alice").getStatus()).isEqualTo(PresenceStatus.OFFLINE);
        assertThat(state.report(report("g1", "i2", 1))).isEqualTo(Outcome.UNKNOWN_GATEWAY);
    }

    @Test
    void syncDiffsAgainstWhatIsKnown() {
        state.sync(sync("g1", "i1", 0, connection("s1", "alice", "chat:a", "chat:b"), connection("s2", "bob", "chat:a")));
        List<PresenceRecord> first = state.drainDeltas();
        assertThat(userIds(rooms(first).get("chat:a").getJoinedList())).containsExactly("alice", "bob");
        assertThat(users(first)).containsOnlyKeys("alice", "bob");

        state.sync(sync("g1", "i1", 5, connection("s1", "alice", "chat:b", "chat:a"), connection("s2", "bob", "chat:a")));
        assertThat(state.drainDeltas()).isEmpty();

        state.sync(sync("g1", "i1", 9, connection("s1", "alice", "chat:a"), connection("s3", "carol", "chat:a")));
        List<PresenceRecord> third = state.drainDeltas();
        PresenceEvent a = rooms(third).get("chat:a");
        assertThat(userIds(a.getJoinedList())).containsExactly("carol");
        assertThat(a.getLeftList()).containsExactly("bob");
        assertThat(a.getUpdatedList()).isEmpty();
        assertThat(rooms(third).get("chat:b").getLeftList()).containsExactly("alice");
        assertThat(users(third)).containsOnlyKeys("bob", "carol");
        assertThat(state.report(report("g1", "i1", 10))).isEqualTo(Outcome.APPLIED);
    }

    @Test
    void syncAfterARestartJoinsEveryoneAndTakesTheSnapshotsStatus() {
        state.sync(sync("g1", "i1", 0, connection("s1", "alice", "chat:a").toBuilder()
                .setStatus(PresenceStatus.AWAY).setStatusText("back soon").build()));
        state = new PresenceState(clock, LEASE, 100, 50);  // the service restarted: nothing known

        assertThat(state.report(report("g1", "i1", 1))).isEqualTo(Outcome.UNKNOWN_GATEWAY);
        state.sync(sync("g1", "i1", 1, connection("s1", "alice", "chat:a").toBuilder()
                .setStatus(PresenceStatus.AWAY).setStatusText("back soon").build()));
        List<PresenceRecord> records = state.drainDeltas();
        assertThat(rooms(records).get("chat:a").getJoinedList()).containsExactly(Member.newBuilder()
                .setUserId("alice").setStatus(PresenceStatus.AWAY).setStatusText("back soon").setDevices(1).build());
        assertThat(users(records).get("alice").getStatus()).isEqualTo(PresenceStatus.AWAY);
    }

    @Test
    void changesThatCancelOutWithinAnIntervalWriteNothing() {
        state.sync(sync("g1", "i1", 0, connection("s0", "zed", "chat:a")));
        state.drainDeltas();
        state.report(report("g1", "i1", 1, opened("s1", "alice"), joined("s1", "chat:a"), left("s1", "chat:a"),
                closed("s1")));
        assertThat(state.drainDeltas()).isEmpty();
    }

    @Test
    void largeRoomsAndLargeDeltasAreSummarised() {
        state = new PresenceState(clock, LEASE, 3, 2);
        state.sync(sync("g1", "i1", 0, connection("s1", "u1", "small"), connection("s2", "u2", "small")));
        PresenceEvent small = rooms(state.drainDeltas()).get("small");
        assertThat(small.getSummary()).isFalse();  // 2 changes, 2 users: within both limits
        assertThat(userIds(small.getJoinedList())).containsExactly("u1", "u2");
        assertThat(small.getJoinedTotal()).isEqualTo(2);

        state.report(report("g1", "i1", 1, joined("s1", "big"), joined("s2", "big"), opened("s3", "u3"),
                joined("s3", "big")));
        PresenceEvent big = rooms(state.drainDeltas()).get("big");
        assertThat(big.getSummary()).isTrue();  // 3 changes > max-delta-members 2
        assertThat(big.getJoinedList()).isEmpty();
        assertThat(big.getJoinedTotal()).isEqualTo(3);
        assertThat(big.getUsers()).isEqualTo(3);

        state.report(report("g1", "i1", 2, opened("s4", "u4"), joined("s4", "big")));
        big = rooms(state.drainDeltas()).get("big");
        assertThat(big.getSummary()).isTrue();  // 4 users > large-room-threshold 3, though only one joined
        assertThat(big.getJoinedTotal()).isEqualTo(1);
        assertThat(big.getLeftList()).isEmpty();

        state.report(report("g1", "i1", 3, left("s4", "big")));
        big = rooms(state.drainDeltas()).get("big");
        assertThat(big.getSummary()).isFalse();  // back to 3 users
        assertThat(big.getLeftList()).containsExactly("u4");
        assertThat(big.getLeftTotal()).isEqualTo(1);
    }

    @Test
    void roomMembersArePagedByUserId() {
        List<io.switchboard.proto.internal.v1.ConnectionState> connections = new ArrayList<>();
        for (String user : List.of("e", "b", "d", "a", "c")) {
            connections.add(connection("s-" + user, user, "chat:a"));
        }
        connections.add(connection("s-a2", "a", "chat:a"));
        state.sync(sync("g1", "i1", 0, connections.toArray(io.switchboard.proto.internal.v1.ConnectionState[]::new)));
        // Pages show the room as of its last record: none yet.
        RoomMembersResponse unflushed = state.roomMembers("chat:a", "", 2);
        assertThat(unflushed.getMembersList()).isEmpty();
        assertThat(unflushed.getVersion()).isZero();
        assertThat(unflushed.getEpoch()).isEqualTo(state.epoch());
        PresenceEvent record = rooms(state.drainDeltas()).get("chat:a");

        RoomMembersResponse page1 = state.roomMembers("chat:a", "", 2);
        assertThat(page1.getVersion()).isEqualTo(record.getVersion()).isPositive();
        assertThat(userIds(page1.getMembersList())).containsExactly("a", "b");
        assertThat(page1.getMembers(0).getDevices()).isEqualTo(2);
        assertThat(page1.getHasMore()).isTrue();
        assertThat(page1.getNextAfterUser()).isEqualTo("b");
        assertThat(page1.getUsers()).isEqualTo(5);
        assertThat(page1.getConnections()).isEqualTo(6);
        RoomMembersResponse page2 = state.roomMembers("chat:a", page1.getNextAfterUser(), 2);
        assertThat(userIds(page2.getMembersList())).containsExactly("c", "d");
        RoomMembersResponse page3 = state.roomMembers("chat:a", page2.getNextAfterUser(), 2);
        assertThat(userIds(page3.getMembersList())).containsExactly("e");
        assertThat(page3.getHasMore()).isFalse();
        assertThat(page3.getNextAfterUser()).isEmpty();
        assertThat(state.roomMembers("chat:none", "", 2).getMembersList()).isEmpty();
    }

    @Test
    void gatewayConnectionsArePagedBySessionId() {
        state.sync(sync("g1", "i1", 0, connection("s3", "c", "chat:a"), connection("s1", "a"), connection("s2", "b")));
        GatewayConnectionsResponse page1 = state.gatewayConnections("g1", "", 2);
        assertThat(page1.getConnectionsList()).extracting(Connection::getSessionId).containsExactly("s1", "s2");
        assertThat(page1.getHasMore()).isTrue();
        GatewayConnectionsResponse page2 = state.gatewayConnections("g1", page1.getNextAfterSession(), 2);
        assertThat(page2.getConnectionsList()).extracting(Connection::getSessionId).containsExactly("s3");
        assertThat(page2.getConnections(0).getRoomsList()).containsExactly("chat:a");
        assertThat(page2.getHasMore()).isFalse();
        assertThat(state.gatewayConnections("g9", "", 2).getConnectionsList()).isEmpty();
    }

    @Test
    void changesForUnknownSessionsAreIgnored() {
        state.sync(sync("g1", "i1", 0));
        assertThat(state.report(report("g1", "i1", 1, joined("nope", "chat:a"), closed("nope"),
                status("nope", PresenceStatus.AWAY, "")))).isEqualTo(Outcome.APPLIED);
        assertThat(state.counts()).isEqualTo(new PresenceState.Counts(1, 0, 0, 0));
        assertThat(state.drainDeltas()).isEmpty();
    }

    @Test
    void carriesTenThousandJoinsInOneBatch() {
        state.sync(sync("g1", "i1", 0));
        List<io.switchboard.proto.internal.v1.PresenceChange> changes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            changes.add(opened("s" + i, "u" + i));
            changes.add(joined("s" + i, "room-" + (i % 100)));
        }
        assertThat(state.report(report("g1", "i1", 1, changes.toArray(io.switchboard.proto.internal.v1.PresenceChange[]::new))))
                .isEqualTo(Outcome.APPLIED);
        List<PresenceRecord> records = state.drainDeltas();
        assertThat(rooms(records)).hasSize(100);
        assertThat(rooms(records).values()).allSatisfy(e -> {
            assertThat(e.getUsers()).isEqualTo(100);
            assertThat(e.getSummary()).isTrue();
        });
        assertThat(users(records)).hasSize(10_000);
    }
}
