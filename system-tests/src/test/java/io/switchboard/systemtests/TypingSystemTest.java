package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.client.RoomListener;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Ephemeral;
import io.switchboard.proto.client.v1.EphemeralEvent;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryDirection;
import io.switchboard.proto.client.v1.HistoryPage;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Typing indicators end to end: relayed across gateways to the room's other subscribers, throttled per user
 * and room by the router (across the user's devices), stopped at once on stop, expired by the receiving SDK
 * when not renewed, and never stored.
 */
class TypingSystemTest {
    private static final Duration TTL = Duration.parse(SystemCluster.EPHEMERAL_TTL);
    @AutoClose
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = SystemCluster.start(true);
    }

    private static SwitchboardClient client(URI uri, String user) {
        return SwitchboardClient.builder()
                .url(uri)
                .tokenProvider(() -> CompletableFuture.completedFuture(SystemCluster.USERS.token(user, "typing:*")))
                // The test decides when typing stops: no renewal or idle stop of its own within the test.
                .typingRenewInterval(Duration.ofMinutes(1))
                .typingIdleTimeout(Duration.ofMinutes(2))
                .build();
    }

    /** Records what one SDK subscriber sees of a room. */
    private static final class Watcher implements RoomListener {
        final List<Message> messages = new CopyOnWriteArrayList<>();
        final List<EphemeralEvent> ephemerals = new CopyOnWriteArrayList<>();
        final AtomicReference<Set<String>> typing = new AtomicReference<>(Set.of());

        @Override
        public void onMessage(Message message) {
            messages.add(message);
        }

        @Override
        public void onTyping(Set<String> typingUsers) {
            typing.set(Set.copyOf(typingUsers));
        }

        @Override
        public void onEphemeral(EphemeralEvent event) {
            ephemerals.add(event);
        }

        long typingFrom(String user, boolean stop) {
            return ephemerals.stream().filter(e -> e.getSender().equals(user) && e.getKind().equals("typing")
                    && e.getStop() == stop).count();
        }
    }

    private static ClientFrame typing(int requestId, String room, boolean stop) {
        return ClientFrame.newBuilder().setEphemeral(Ephemeral.newBuilder().setRequestId(requestId).setRoom(room)
                .setKind("typing").setStop(stop)).build();
    }

    @Test
    void typingIsRelayedThrottledStoppedExpiredAndNeverStored() throws Exception {
        String room = "typing:e2e";
        Watcher bobSees = new Watcher();
        try (SwitchboardClient alice = client(cluster.webSocketUri(0), "alice");
             SwitchboardClient bob = client(cluster.webSocketUri(1), "bob");
             Peer aliceTablet = SystemCluster.peer(cluster, 1, "alice", "typing:*");
             Peer carol = SystemCluster.peer(cluster, 0, "carol", "typing:*")) {
            alice.connect().get(20, TimeUnit.SECONDS);
            bob.connect().get(20, TimeUnit.SECONDS);
            Watcher aliceSees = new Watcher();
            alice.subscribe(room, aliceSees).ready().get(20, TimeUnit.SECONDS);
            bob.subscribe(room, bobSees).ready().get(20, TimeUnit.SECONDS);
            aliceTablet.subscribe(room, false);
            carol.subscribe(room, false);

            // Not subscribed: refused at the gateway.
            int notSubscribed = aliceTablet.nextRequestId();
            aliceTablet.send(typing(notSubscribed, "typing:elsewhere", false));
            assertThat(aliceTablet.reply(notSubscribed).getError().getCode()).isEqualTo(ErrorCode.NOT_SUBSCRIBED);

            alice.setTyping(room, true);
            await().atMost(Peer.WAIT).until(() -> bobSees.typing.get().equals(Set.of("alice")));
            // alice's other device sees her typing too; her typing connection does not hear itself.
            aliceTablet.awaitFrame(f -> f.hasEphemeral() && f.getEphemeral().getSender().equals("alice"));

            // Within router.ephemeral.min-interval the same user's typing in the same room is dropped, whichever
            // device sends it; a stop is never throttled. The stop travels the same path after the dropped event,
            // so once bob has the stop, a relayed duplicate would already be there.
            int second = aliceTablet.nextRequestId();
            aliceTablet.send(typing(second, room, false));
            assertThat(aliceTablet.reply(second).getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
            alice.setTyping(room, false);
            await().atMost(Peer.WAIT).until(() -> bobSees.typingFrom("alice", true) == 1);
            assertThat(bobSees.typingFrom("alice", false)).isEqualTo(1);
            assertThat(bobSees.typing.get()).isEmpty();
            assertThat(aliceSees.ephemerals).filteredOn(e -> e.getSessionId().equals(alice.session().getSessionId()))
                    .isEmpty();

            // carol types once and vanishes without a stop: bob's indicator lapses after the event's ttl.
            carol.send(typing(0, room, false));
            await().atMost(Peer.WAIT).until(() -> bobSees.typing.get().equals(Set.of("carol")));
            EphemeralEvent fromCarol = bobSees.ephemerals.stream().filter(e -> e.getSender().equals("carol"))
                    .findFirst().orElseThrow();
            assertThat(fromCarol.getTtlMs()).isEqualTo(TTL.toMillis());
            await().atMost(TTL.plusSeconds(5)).until(() -> bobSees.typing.get().isEmpty());
            assertThat(bobSees.typingFrom("carol", true)).as("emptied by expiry, not by a stop").isZero();

            // Only real messages are stored: history holds the two publishes, none of the typing events.
            alice.publish(room, "m-1", "hello".getBytes(StandardCharsets.UTF_8), "text/plain").get(20, TimeUnit.SECONDS);
            bob.publish(room, "m-2", "hi".getBytes(StandardCharsets.UTF_8), "text/plain").get(20, TimeUnit.SECONDS);
            await().atMost(Peer.WAIT).until(() -> bobSees.messages.size() == 2);
            HistoryPage page = bob.history(room, HistoryDirection.LATEST, 0, 50).get(20, TimeUnit.SECONDS);
            assertThat(page.getMessagesList()).extracting(Message::getId).containsExactly("m-1", "m-2");
            assertThat(page.getMessagesList()).extracting(m -> m.getPayload().toString(StandardCharsets.UTF_8))
                    .containsExactly("hello", "hi");
            assertThat(page.getHasMore()).isFalse();
            // And no subscriber got a typing event as a message.
            assertThat(bobSees.messages).extracting(Message::getId).containsExactly("m-1", "m-2");
            await().atMost(Peer.WAIT).untilAsserted(() -> assertThat(carol.all(ServerFrame::hasMessage))
                    .extracting(f -> f.getMessage().getId()).containsExactly("m-1", "m-2"));
        }
    }
}
