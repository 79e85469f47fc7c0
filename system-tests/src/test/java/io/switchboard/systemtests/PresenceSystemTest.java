package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresencePage;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.SetStatus;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Presence across two gateways: joins and leaves reach a watcher on either gateway, a user stays in the room
 * while any of their devices does (and through a reload onto the other gateway), and the member list pages
 * through every member exactly once.
 */
class PresenceSystemTest {
    @AutoClose
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = SystemCluster.start(false);
    }

    private static Peer connect(int gateway, String user) {
        return SystemCluster.peer(cluster, gateway, user, "presence:*");
    }

    private static List<PresenceEvent> events(Peer watcher, String room) {
        return watcher.all(ServerFrame::hasPresence).stream().map(ServerFrame::getPresence)
                .filter(e -> e.getRoom().equals(room)).toList();
    }

    private static Set<String> joined(Peer watcher, String room) {
        return events(watcher, room).stream().flatMap(e -> e.getJoinedList().stream()).map(Member::getUserId)
                .collect(Collectors.toSet());
    }

    private static Set<String> left(Peer watcher, String room) {
        return events(watcher, room).stream().flatMap(e -> e.getLeftList().stream()).collect(Collectors.toSet());
    }

    @Test
    void aUserLeavesOnlyWhenTheirLastDeviceLeavesAndTheMemberListPages() {
        String room = "presence:devices";
        try (Peer carol = connect(0, "carol");
             Peer alicePhone = connect(0, "alice");
             Peer aliceLaptop = connect(1, "alice");
             Peer bob = connect(1, "bob")) {
            assertThat(alicePhone.gatewayId()).isNotEqualTo(aliceLaptop.gatewayId());
            carol.subscribe(room, true);
            alicePhone.subscribe(room, true);
            aliceLaptop.subscribe(room, true);
            bob.subscribe(room, false);

            await().atMost(Peer.WAIT).untilAsserted(() -> assertThat(joined(carol, room)).contains("alice", "bob"));
            // A watcher on the other gateway sees joins made after it subscribed (bob asked for no presence
            // events: none reach him).
            await().atMost(Peer.WAIT).untilAsserted(() -> assertThat(joined(aliceLaptop, room)).contains("bob"));
            assertThat(bob.all(ServerFrame::hasPresence)).isEmpty();

            // Both of alice's devices count, on two gateways; limit 1 pages once per member, in user id order.
            await().atMost(Peer.WAIT).untilAsserted(() -> {
                List<PresencePage> pages = carol.allPresencePages(room, 1);
                assertThat(pages).allSatisfy(p -> assertThat(p.getMembersCount()).isEqualTo(1));
                assertThat(Peer.members(pages)).extracting(Member::getUserId, Member::getDevices)
                        .containsExactly(tuple("alice", 2),
                                tuple("bob", 1),
                                tuple("carol", 1));
                assertThat(pages.getLast().getHasMore()).isFalse();
                assertThat(pages.getFirst().getUsers()).isEqualTo(3);
                assertThat(pages.getFirst().getConnections()).isEqualTo(4);
            });

            // One device gone: alice stays, with one device. The event saying so is in room order, so a wrong
            // "left" would have come with it or before it.
            alicePhone.leave();
            await().atMost(Peer.WAIT).untilAsserted(() -> assertThat(events(carol, room)).anySatisfy(e ->
                    assertThat(e.getUpdatedList()).anySatisfy(m -> {
                        assertThat(m.getUserId()).isEqualTo("alice");
                        assertThat(m.getDevices()).isEqualTo(1);
                    })));
            assertThat(left(carol, room)).doesNotContain("alice");
            assertThat(Peer.members(carol.allPresencePages(room, 10))).extracting(Member::getUserId)
                    .containsExactly("alice", "bob", "carol");

            // The last device gone: alice leaves, on both gateways' watchers.
            aliceLaptop.leave();
            await().atMost(Peer.WAIT).untilAsserted(() -> assertThat(left(carol, room)).containsExactly("alice"));
            await().atMost(Peer.WAIT).untilAsserted(() -> {
                List<PresencePage> pages = carol.allPresencePages(room, 1);
                assertThat(pages).hasSize(2);
                assertThat(pages.getFirst().getHasMore()).isTrue();
                assertThat(pages.getFirst().getNextAfterUser()).isEqualTo("bob");
                assertThat(Peer.members(pages)).extracting(Member::getUserId).containsExactly("bob", "carol");
                assertThat(pages.getLast().getUsers()).isEqualTo(2);
            });
            PresenceEvent last = events(carol, room).getLast();
            assertThat(last.getUsers()).isEqualTo(2);
            assertThat(last.getConnections()).isEqualTo(2);
            // bob's gateway relayed every one of these events to alice's laptop, never to bob.
            assertThat(bob.all(ServerFrame::hasPresence)).isEmpty();
        }
    }

    @Test
    void aReloadOntoTheOtherGatewayKeepsTheUserAMemberThroughout() {
        String room = "presence:reload";
        try (Peer frank = connect(0, "frank"); Peer gina = connect(1, "gina")) {
            frank.subscribe(room, true);
            Peer bob = connect(0, "bob");
            Peer eve = connect(0, "eve");
            bob.subscribe(room, false);
            eve.subscribe(room, false);
            gina.subscribe(room, false);
            await().atMost(Peer.WAIT).untilAsserted(() -> assertThat(joined(frank, room)).contains("bob", "eve", "gina"));

            // bob reloads onto gateway 1 (his old connection closes first); eve closes her tab at the same moment.
            bob.leave();
            eve.leave();
            try (Peer bobAgain = connect(1, "bob")) {
                bobAgain.subscribe(room, true);
                // eve leaves once the leave grace is over; bob's leave, had there been one, would have come no later.
                await().atMost(Peer.WAIT).untilAsserted(() -> assertThat(left(frank, room)).contains("eve"));
                assertThat(left(frank, room)).doesNotContain("bob");
                assertThat(events(frank, room)).allSatisfy(e -> assertThat(e.getUpdatedList())
                        .noneSatisfy(m -> assertThat(m.getUserId()).isEqualTo("bob")));
                for (Peer watcher : List.of(frank, bobAgain)) {
                    await().atMost(Peer.WAIT).untilAsserted(() -> assertThat(Peer.members(watcher.allPresencePages(room, 10)))
                            .extracting(Member::getUserId, Member::getDevices)
                            .containsExactly(tuple("bob", 1), tuple("frank", 1), tuple("gina", 1)));
                }
            }
        }
    }

    @Test
    void statusChangesReachWatchersAndTheMemberList() {
        String room = "presence:status";
        try (Peer dave = connect(0, "dave"); Peer erin = connect(1, "erin")) {
            dave.subscribe(room, true);
            erin.subscribe(room, false);
            await().atMost(Peer.WAIT).untilAsserted(() -> assertThat(joined(dave, room)).contains("erin"));

            int id = erin.nextRequestId();
            erin.send(ClientFrame.newBuilder().setSetStatus(
                    SetStatus.newBuilder().setRequestId(id)
                            .setStatus(PresenceStatus.BUSY).setText("in a meeting"))
                    .build());
            assertThat(erin.reply(id).hasAck()).as("SetStatus answered with Ack").isTrue();

            await().atMost(Peer.WAIT).untilAsserted(() -> assertThat(events(dave, room)).anySatisfy(e ->
                    assertThat(e.getUpdatedList()).anySatisfy(m -> {
                        assertThat(m.getUserId()).isEqualTo("erin");
                        assertThat(m.getStatus()).isEqualTo(PresenceStatus.BUSY);
                        assertThat(m.getStatusText()).isEqualTo("in a meeting");
                    })));
            assertThat(Peer.members(dave.allPresencePages(room, 10)))
                    .filteredOn(m -> m.getUserId().equals("erin"))
                    .singleElement()
                    .satisfies(m -> assertThat(m.getStatus()).isEqualTo(PresenceStatus.BUSY));
        }
    }
}
