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

import io.switchboard.presence.state.PresenceState.Outcome;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A user whose connection closes stays a member for the leave grace; a new connection takes over unseen. */
class LeaveGraceTest {
    /** Longer than the grace, so that only the last test's lease runs out. */
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    private final PresenceState state = new PresenceState(clock, new PresenceState.Settings(LEASE, GRACE, Duration.ZERO,
            100, 50));

    @BeforeEach
    void bobAndAliceInARoom() {
        state.sync(sync("g1", "i1", 0, connection("a", "alice", "chat:a"), connection("b1", "bob", "chat:a")));
        state.sync(sync("g2", "i1", 0));
        state.drainDeltas();
    }

    private static Optional<PresenceEvent> room(List<PresenceRecord> records) {
        return records.stream().filter(PresenceRecord::hasRoom).map(PresenceRecord::getRoom).findFirst();
    }

    private List<Member> members() {
        return state.roomMembers("chat:a", "", 100).getMembersList();
    }

    @Test
    void aReloadOnAnotherGatewayKeepsTheUserAMemberWithOneDeviceAndTheirStatus() {
        state.report(report("g1", "i1", 1, status("b1", PresenceStatus.AWAY, "reloading")));
        state.drainDeltas();
        state.report(report("g1", "i1", 2, closed("b1")));
        // Past the next flush and a few seconds into the grace: still a member, one device, status kept.
        assertThat(room(state.drainDeltas())).isEmpty();
        clock.advance(Duration.ofSeconds(3));
        state.expireLeaveGraces();
        assertThat(room(state.drainDeltas())).isEmpty();
        assertThat(members()).extracting(Member::getUserId, Member::getDevices, Member::getStatus)
                .containsExactly(tuple("alice", 1, PresenceStatus.ONLINE), tuple("bob", 1, PresenceStatus.AWAY));
        // Routers must not deliver to a closed connection: for them bob is offline meanwhile.
        assertThat(state.userPresence("bob").getStatus()).isEqualTo(PresenceStatus.OFFLINE);
        assertThat(state.counts().users()).isEqualTo(1);

        state.report(report("g2", "i1", 1, opened("b2", "bob"), joined("b2", "chat:a")));
        List<PresenceRecord> records = state.drainDeltas();
        assertThat(room(records)).as("no room record: nothing visible changed").isEmpty();
        assertThat(state.userPresence("bob").getStatus()).isEqualTo(PresenceStatus.AWAY);
        clock.advance(GRACE);
        state.expireLeaveGraces();
        assertThat(room(state.drainDeltas())).isEmpty();
        assertThat(members()).extracting(Member::getUserId, Member::getDevices)
                .containsExactly(tuple("alice", 1), tuple("bob", 1));
    }

    @Test
    void withoutANewConnectionTheUserLeavesWhenTheGraceEndsAndComesBackOnline() {
        state.report(report("g1", "i1", 1, status("b1", PresenceStatus.BUSY, ""), closed("b1")));
        state.drainDeltas();
        clock.advance(GRACE.minusMillis(1));
        state.expireLeaveGraces();
        assertThat(room(state.drainDeltas())).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(state.expireLeaveGraces()).isEqualTo(1);
        PresenceEvent leave = room(state.drainDeltas()).orElseThrow();
        assertThat(leave.getLeftList()).containsExactly("bob");
        assertThat(leave.getUsers()).isEqualTo(1);
        assertThat(leave.getConnections()).isEqualTo(1);

        state.report(report("g1", "i1", 2, opened("b3", "bob"), joined("b3", "chat:a")));
        PresenceEvent back = room(state.drainDeltas()).orElseThrow();
        assertThat(back.getJoinedList()).extracting(Member::getUserId, Member::getStatus)
                .containsExactly(tuple("bob", PresenceStatus.ONLINE));
    }

    @Test
    void devicesCountOnlyRealConnectionsOnceAnyIsBack() {
        state.report(report("g1", "i1", 1, opened("b2", "bob"), joined("b2", "chat:a")));
        state.drainDeltas();
        // Both of bob's tabs reload at once: 2 -> 1 when the first closes, the second lingers as one device.
        state.report(report("g1", "i1", 2, closed("b1"), closed("b2")));
        PresenceEvent down = room(state.drainDeltas()).orElseThrow();
        assertThat(down.getUpdatedList()).extracting(Member::getUserId, Member::getDevices).containsExactly(tuple("bob", 1));
        state.report(report("g1", "i1", 3, opened("b3", "bob"), joined("b3", "chat:a"), opened("b4", "bob"),
                joined("b4", "chat:a")));
        PresenceEvent up = room(state.drainDeltas()).orElseThrow();
        assertThat(up.getUpdatedList()).extracting(Member::getUserId, Member::getDevices).containsExactly(tuple("bob", 2));
        assertThat(up.getConnections()).isEqualTo(3);
        assertThat(up.getLeftList()).isEmpty();
        assertThat(up.getJoinedList()).isEmpty();
    }

    @Test
    void anUnsubscribeLeavesAtOnce() {
        state.report(report("g1", "i1", 1, left("b1", "chat:a")));
        assertThat(room(state.drainDeltas()).orElseThrow().getLeftList()).containsExactly("bob");
    }

    @Test
    void aRestartedGatewaysUsersLingerButAnExpiredLeasesLeaveAtOnce() {
        // g1 restarts (new incarnation): its connections are gone, their clients are reconnecting.
        assertThat(state.report(report("g1", "i2", 1))).isEqualTo(Outcome.NEW_INCARNATION);
        state.sync(sync("g1", "i2", 0, connection("b5", "bob", "chat:a")));
        assertThat(room(state.drainDeltas())).as("bob came back within the grace; alice is lingering").isEmpty();
        assertThat(members()).extracting(Member::getUserId).containsExactly("alice", "bob");
        // alice never comes back: she leaves when her grace ends.
        clock.advance(GRACE);
        assertThat(state.report(report("g2", "i1", 1))).isEqualTo(Outcome.APPLIED);
        state.expireLeaveGraces();
        assertThat(room(state.drainDeltas()).orElseThrow().getLeftList()).containsExactly("alice");
        assertThat(state.userPresence("alice").getStatus()).isEqualTo(PresenceStatus.OFFLINE);

        // g1 now dies for good: after a whole lease of silence its users leave without a grace.
        clock.advance(LEASE.minus(GRACE));
        assertThat(state.expireLeases()).isEqualTo(1);
        PresenceEvent gone = room(state.drainDeltas()).orElseThrow();
        assertThat(gone.getLeftList()).containsExactly("bob");
        assertThat(members()).isEmpty();
        assertThat(state.counts()).isEqualTo(new PresenceState.Counts(1, 0, 0, 0));
    }
}
