package io.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryDirection;
import io.switchboard.proto.client.v1.HistoryPage;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.testkit.DeliveryChecker;
import io.switchboard.testkit.ResumingClient;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The history service is SIGKILLed mid-stream and restarted: while it is down a resume is refused with a
 * retriable RECOVERY_UNAVAILABLE (never a silent gap); afterwards history holds every acked message and
 * resume recovers again.
 */
class HistoryCrashTest {
    private static final String SECRET = "history-crash-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ROOM = "crash:history";
    @AutoClose
    private static ProcessCluster cluster;

    @BeforeAll
    static void start() {
        cluster = ProcessCluster.start(1, 2, SECRET, true);
    }

    @Test
    void noAckedMessageIsLostWhenHistoryIsKilledAndResumeWorksAgainAfterRestart() {
        List<URI> gateways = cluster.webSocketUris();
        DeliveryChecker checker = new DeliveryChecker();
        Set<String> acked = Collections.synchronizedSet(new LinkedHashSet<>());
        try (WsTestClient publisher = WsTestClient.connected(gateways.get(0), Subprotocol.PROTO, TOKENS.token("writer", ROOM));
             ResumingClient reader = new ResumingClient("reader", TOKENS, List.of(ROOM), checker.subscriber("reader", Set.of(ROOM)));
             WsTestClient watcher = WsTestClient.connected(gateways.get(1), Subprotocol.PROTO, TOKENS.token("watcher", ROOM))) {
            reader.connect(gateways.get(1), Subprotocol.JSON, WAIT);
            watcher.subscribeAndWait(ROOM, WAIT);
            AtomicInteger fannedOut = new AtomicInteger();
            watcher.divert(f -> {
                if (f.hasMessage()) {
                    fannedOut.incrementAndGet();
                }
            });
            Ack first = publish(publisher, 0, 20, checker, acked);
            reader.disconnect();

            // SIGKILL history while messages keep being published and ingested.
            CompletableFuture<Ack> stream =
                    CompletableFuture.supplyAsync(() -> publish(publisher, 20, 40, checker, acked));
            await().atMost(WAIT).until(() -> checker.ackedCount() >= 25);
            cluster.history().kill();
            stream.join();
            // Gateway 1 has fanned out all 40, so a resume from the first needs history.
            await().atMost(WAIT).until(() -> fannedOut.get() >= 40);

            // History is down: a resume that needs it is refused, retriable, and the subscription is not made.
            try (WsTestClient resumer = WsTestClient.connected(gateways.get(1), Subprotocol.PROTO, TOKENS.token("resumer", ROOM))) {
                resumer.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(1).setRoom(ROOM)
                        .setResumeFrom(ResumeFrom.newBuilder().setPosition(first.getPosition()).setEpoch(first.getEpoch()))).build());
                ServerFrame reply = resumer.nextMatching(f -> f.hasError() || f.hasSubscribed(), WAIT);
                assertThat(reply.hasError()).as("reply while history is down: %s", reply).isTrue();
                assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.RECOVERY_UNAVAILABLE);
                assertThat(reply.getError().getRetriable()).isTrue();
            }

            cluster.startHistory();
            publish(publisher, 40, 60, checker, acked);

            // Every acked message is in history, in order, once (ingestion is asynchronous: wait for it).
            await().atMost(WAIT).untilAsserted(() -> assertThat(
                    latest(gateways.get(0), 500).stream().map(Message::getId).collect(Collectors.toList()))
                    .containsExactlyElementsOf(acked));

            // And resume recovers everything the reader missed while history was down.
            reader.connect(gateways.get(0), Subprotocol.PROTO, WAIT);
            await().atMost(WAIT).until(checker::allDelivered);
            assertThat(checker.violations()).isEmpty();
            assertThat(reader.problems()).isEmpty();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nservice logs:\n" + cluster.logs(), e);
        }
    }

    private static Ack publish(WsTestClient publisher, int from, int to, DeliveryChecker checker, Set<String> acked) {
        Ack first = null;
        for (int n = from; n < to; n++) {
            publisher.publish(ROOM, "crash-" + n, "message " + n);
            ServerFrame reply = publisher.nextMatching(f -> f.hasAck() || f.hasError(), WAIT);
            assertThat(reply.hasError()).as("publish %d failed: %s", n, reply).isFalse();
            Ack ack = reply.getAck();
            checker.acked(ack.getRoom(), ack.getId(), ack.getPosition());
            acked.add(ack.getId());
            if (first == null) {
                first = ack;
            }
        }
        return first;
    }

    private static List<Message> latest(URI gateway, int limit) {
        try (WsTestClient client = WsTestClient.connected(gateway, Subprotocol.JSON, TOKENS.token("auditor", ROOM))) {
            client.send(ClientFrame.newBuilder().setHistory(HistoryRequest.newBuilder()
                    .setRequestId(7).setRoom(ROOM).setDirection(HistoryDirection.LATEST).setLimit(limit)).build());
            ServerFrame reply = client.nextMatching(f -> f.hasHistoryPage() || f.hasError(), WAIT);
            assertThat(reply.hasHistoryPage()).as("history reply: %s", reply).isTrue();
            HistoryPage page = reply.getHistoryPage();
            assertThat(page.getHasMore()).isFalse();
            return page.getMessagesList();
        }
    }
}
