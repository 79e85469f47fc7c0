package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.HistoryDirection;
import io.switchboard.proto.client.v1.HistoryPage;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** History through the gateway on a real cluster: paging back, retention, and resume outcomes. */
class HistoryEndToEndTest {
    private static final String SECRET = "history-e2e-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    /** The rooms the tests' tokens grant: each test's own. */
    private static final String[] ROOMS = {"paging:room", "brief:room", "epoch:room", "missed:room"};
    private static final Duration WAIT = Duration.ofSeconds(30);
    @AutoClose
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.builder()
                .history(true)
                .set("gateway.auth.hs256-secret", SECRET)
                .set("history.retention.namespaces.brief.max-messages", "5")
                .set("history.retention.sweep-interval", "PT0.2S")
                .build()
                .start();
    }

    @Test
    void pagesBackThroughARoomOldestLast() {
        String room = "paging:room";
        try (WsTestClient client = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.JSON, TOKENS.token("pager", ROOMS))) {
            List<Ack> acks = publish(client, room, 25);
            await().atMost(WAIT).until(() -> history(client, room, HistoryDirection.LATEST, 0, 100).getMessagesCount() == 25);

            List<String> seen = new ArrayList<>();
            HistoryPage page = history(client, room, HistoryDirection.LATEST, 0, 10);
            seen.addAll(0, ids(page));
            while (page.getHasMore()) {
                page = history(client, room, HistoryDirection.BEFORE, page.getMessages(0).getPosition(), 10);
                seen.addAll(0, ids(page));
            }
            assertThat(seen).containsExactlyElementsOf(acks.stream().map(Ack::getId).toList());
        }
    }

    @Test
    void resumingFromBeforeRetentionSaysSo() {
        String room = "brief:room";
        try (WsTestClient client = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.PROTO, TOKENS.token("brief", ROOMS));
             WsTestClient watcher = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.PROTO, TOKENS.token("watcher", ROOMS))) {
            watcher.subscribeAndWait(room, WAIT);
            List<Ack> acks = publish(client, room, 20);
            // Once the gateway has fanned them all out, they lie below the resume's hand-over point: all history.
            awaitDelivered(watcher, acks.get(19));
            // Retention keeps the newest 5 of the namespace "brief".
            await().atMost(WAIT).until(() -> history(client, room, HistoryDirection.LATEST, 0, 100).getMessagesCount() == 5);

            Subscribed subscribed = subscribe(client, room, acks.get(0).getPosition(), acks.get(0).getEpoch());
            assertThat(subscribed.getRecovered()).isFalse();
            assertThat(subscribed.getRecoveryFailure()).isEqualTo(RecoveryFailure.POSITION_EXPIRED);
        }
    }

    @Test
    void resumingWithAnotherEpochSaysSo() {
        String room = "epoch:room";
        try (WsTestClient client = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.PROTO, TOKENS.token("epoch", ROOMS))) {
            List<Ack> acks = publish(client, room, 3);
            Subscribed subscribed = subscribe(client, room, acks.get(0).getPosition(), "another-topic:0");
            assertThat(subscribed.getRecovered()).isFalse();
            assertThat(subscribed.getRecoveryFailure()).isEqualTo(RecoveryFailure.EPOCH_CHANGED);
        }
    }

    @Test
    void resumingReplaysExactlyTheMissedMessages() {
        String room = "missed:room";
        try (WsTestClient publisher = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.PROTO, TOKENS.token("writer", ROOMS));
             WsTestClient reader = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.JSON, TOKENS.token("reader", ROOMS));
             WsTestClient watcher = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.PROTO, TOKENS.token("watcher", ROOMS))) {
            watcher.subscribeAndWait(room, WAIT);
            List<Ack> acks = publish(publisher, room, 12);
            // Once the gateway has fanned them all out, they lie below the resume's hand-over point: all history.
            awaitDelivered(watcher, acks.get(11));
            Ack lastSeen = acks.get(4);
            Subscribed subscribed = subscribe(reader, room, lastSeen.getPosition(), lastSeen.getEpoch());
            assertThat(subscribed.getRecovered()).isTrue();
            assertThat(subscribed.getReplayed()).isEqualTo(7);
            List<String> replayed = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                replayed.add(reader.nextMatching(ServerFrame::hasMessage, WAIT).getMessage().getId());
            }
            assertThat(replayed).containsExactlyElementsOf(acks.subList(5, 12).stream().map(Ack::getId).toList());
            Ack live = publish(publisher, room, 1).get(0);
            assertThat(reader.nextMatching(ServerFrame::hasMessage, WAIT).getMessage().getPosition()).isEqualTo(live.getPosition());
        }
    }

    private static void awaitDelivered(WsTestClient client, Ack ack) {
        client.nextMatching(f -> f.hasMessage() && f.getMessage().getPosition() == ack.getPosition(), WAIT);
    }

    private static List<Ack> publish(WsTestClient client, String room, int count) {
        List<Ack> acks = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            client.publish(room, room.replace(':', '-') + "-" + System.nanoTime() + "-" + n, "message " + n);
            ServerFrame reply = client.nextMatching(f -> f.hasAck() || f.hasError(), WAIT);
            assertThat(reply.hasAck()).as("publish: %s", reply).isTrue();
            acks.add(reply.getAck());
        }
        return acks;
    }

    private static Subscribed subscribe(WsTestClient client, String room, long position, String epoch) {
        int id = client.nextRequestId();
        client.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(id).setRoom(room)
                .setResumeFrom(ResumeFrom.newBuilder().setPosition(position).setEpoch(epoch))).build());
        ServerFrame reply = client.nextMatching(f -> (f.hasSubscribed() && f.getSubscribed().getRequestId() == id)
                || (f.hasError() && f.getError().getRequestId() == id), WAIT);
        assertThat(reply.hasSubscribed()).as("subscribe: %s", reply).isTrue();
        return reply.getSubscribed();
    }

    private static HistoryPage history(WsTestClient client, String room, HistoryDirection direction, long position, int limit) {
        int id = client.nextRequestId();
        client.send(ClientFrame.newBuilder().setHistory(HistoryRequest.newBuilder().setRequestId(id).setRoom(room)
                .setDirection(direction).setPosition(position).setLimit(limit)).build());
        ServerFrame reply = client.nextMatching(f -> (f.hasHistoryPage() && f.getHistoryPage().getRequestId() == id)
                || (f.hasError() && f.getError().getRequestId() == id), WAIT);
        assertThat(reply.hasHistoryPage()).as("history: %s", reply).isTrue();
        return reply.getHistoryPage();
    }

    private static List<String> ids(HistoryPage page) {
        return page.getMessagesList().stream().map(Message::getId).toList();
    }
}
