package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Error;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresencePage;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The member list a subscription with presence keeps, by the versioning rule, against a fake transport. */
class MemberListTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final FakeConnector server = new FakeConnector(clock);
    private final List<MemberList> seen = new ArrayList<>();
    @AutoClose
    private SwitchboardClient client;
    private Subscription subscription;

    @BeforeEach
    void subscribeWithPresence() {
        client = SwitchboardClient.builder().url("ws://gateway.test/ws")
                .tokenProvider(() -> CompletableFuture.completedFuture("t"))
                .clock(clock).scheduler(scheduler).transportConnector(server).random(new SplittableRandom(3))
                .backoffInitial(Duration.ofMillis(100)).backoffMax(Duration.ofSeconds(1)).pingInterval(Duration.ofHours(1))
                .memberListLimit(3)
                .build();
        client.connect();
        server.current().accept();
        subscription = client.subscribe("room", true, new RoomListener() {
            @Override
            public void onMessage(io.switchboard.proto.client.v1.Message message) {
            }

            @Override
            public void onMembers(MemberList members) {
                seen.add(members);
            }
        });
    }

    /** Answers the latest Subscribe; returns the member query it started. */
    private PresenceQuery subscribed() {
        ClientFrame subscribe = server.current().last(ClientFrame::hasSubscribe);
        server.current().server(ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder()
                .setRequestId(subscribe.getSubscribe().getRequestId()).setRoom("room").setEpoch("t:0")).build());
        return server.current().last(ClientFrame::hasPresence).getPresence();
    }

    private void page(PresenceQuery query, long version, String epoch, String... users) {
        PresencePage.Builder page = PresencePage.newBuilder().setRequestId(query.getRequestId()).setRoom("room")
                .setUsers(users.length).setConnections(users.length).setVersion(version).setEpoch(epoch);
        for (String user : users) {
            page.addMembers(Member.newBuilder().setUserId(user).setDevices(1));
        }
        server.current().server(ServerFrame.newBuilder().setPresencePage(page).build());
    }

    private void event(long from, long to, String epoch, List<String> joined, List<String> left, long users) {
        PresenceEvent.Builder e = PresenceEvent.newBuilder().setRoom("room").setFromVersion(from).setVersion(to)
                .setEpoch(epoch).setUsers(users).setConnections(users).addAllLeft(left);
        joined.forEach(u -> e.addJoined(Member.newBuilder().setUserId(u).setDevices(1)));
        server.current().server(ServerFrame.newBuilder().setPresence(e).build());
    }

    private List<String> ids() {
        return subscription.members().orElseThrow().members().stream().map(Member::getUserId).toList();
    }

    private int reads() {
        return server.current().sent(ClientFrame::hasPresence).size();
    }

    @Test
    void aPagePlusTheEventsAfterItAndEventsBufferedMeanwhile() {
        PresenceQuery query = subscribed();
        assertThat(query.getRoom()).isEqualTo("room");
        assertThat(query.getLimit()).isEqualTo(3);
        assertThat(subscription.members().orElseThrow().loaded()).isFalse();
        event(5, 6, "p1", List.of("bob"), List.of(), 2);   // already in the page
        event(6, 7, "p1", List.of("cid"), List.of(), 3);   // not yet
        page(query, 6, "p1", "ann", "bob");
        assertThat(ids()).containsExactly("ann", "bob", "cid");
        event(7, 8, "p1", List.of(), List.of("ann"), 2);
        event(7, 8, "p1", List.of(), List.of("ann"), 2);   // a repeat
        assertThat(ids()).containsExactly("bob", "cid");
        MemberList list = subscription.members().orElseThrow();
        assertThat(list.version()).isEqualTo(8);
        assertThat(list.complete()).isTrue();
        assertThat(seen).extracting(MemberList::version).containsExactly(7L, 8L);
        assertThat(reads()).isEqualTo(1);
    }

    @Test
    void aGapANewEpochAndASummaryReadAgainWhileTheOldListStays() {
        page(subscribed(), 3, "p1", "ann");
        event(4, 5, "p1", List.of("bob"), List.of(), 2);   // version 4 was missed
        assertThat(reads()).isEqualTo(2);
        assertThat(ids()).containsExactly("ann");
        page(server.current().last(ClientFrame::hasPresence).getPresence(), 5, "p1", "ann", "bob");
        assertThat(ids()).containsExactly("ann", "bob");

        event(0, 2, "p2", List.of("ann", "bob"), List.of(), 2);  // the presence service restarted
        assertThat(reads()).isEqualTo(3);
        page(server.current().last(ClientFrame::hasPresence).getPresence(), 2, "p2", "ann", "bob");
        assertThat(subscription.members().orElseThrow().epoch()).isEqualTo("p2");

        server.current().server(ServerFrame.newBuilder().setPresence(PresenceEvent.newBuilder().setRoom("room")
                .setFromVersion(2).setVersion(3).setEpoch("p2").setUsers(3).setConnections(3).setSummary(true)).build());
        assertThat(reads()).as("a summary of a listable room").isEqualTo(4);
        page(server.current().last(ClientFrame::hasPresence).getPresence(), 3, "p2", "ann", "bob", "cid");
        server.current().server(ServerFrame.newBuilder().setPresence(PresenceEvent.newBuilder().setRoom("room")
                .setFromVersion(3).setVersion(4).setEpoch("p2").setUsers(50).setConnections(50).setSummary(true)).build());
        assertThat(reads()).as("too large to list").isEqualTo(4);
        MemberList large = subscription.members().orElseThrow();
        assertThat(large.complete()).isFalse();
        assertThat(large.users()).isEqualTo(50);
    }

    @Test
    void aReconnectReadsAgainAndAFailedReadIsRetried() {
        PresenceQuery first = subscribed();
        server.current().server(ServerFrame.newBuilder().setError(Error.newBuilder().setRequestId(first.getRequestId())
                .setCode(ErrorCode.UNAVAILABLE).setRetriable(true).setMessage("warming up")).build());
        assertThat(reads()).isEqualTo(1);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(reads()).isEqualTo(2);
        page(server.current().last(ClientFrame::hasPresence).getPresence(), 4, "p1", "ann");

        server.current().abort();
        scheduler.advance(Duration.ofSeconds(2));
        server.current().accept();
        PresenceQuery reread = subscribed();
        assertThat(ids()).as("the old list stays until the new page").containsExactly("ann");
        page(reread, 9, "p1", "ann", "bob");
        assertThat(ids()).containsExactly("ann", "bob");
    }

    @Test
    void withoutPresenceThereIsNoList() {
        Subscription plain = client.subscribe("other", m -> { });
        assertThat(plain.members()).isEmpty();
    }
}
