package io.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.HistoryDirection;
import io.switchboard.proto.client.v1.HistoryPage;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.DeliveryChecker;
import io.switchboard.testkit.ResumingClient;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two history replicas behind the gateways, one SIGKILLed during a resume storm: many clients that missed hundreds
 * of messages resume at once, through both gateways, while more messages are published; the first replica dies as
 * soon as the first replayed messages arrive. Every resuming client still gets every message exactly once and in
 * order, every resume recovers (reads that were on the dead replica are retried on the other one), and the killed
 * replica, restarted, catches up: with the other replica killed in turn, history still holds every message.
 */
class HistoryReplicasTest {
    private static final String SECRET = "history-replicas-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int ROOMS = 4;
    private static final int READERS_PER_ROOM = 8;
    private static final int MISSED_PER_ROOM = 150;
    private static final int LIVE_PER_ROOM = 15;
    @AutoClose
    private static ProcessCluster cluster;

    private final DeliveryChecker checker = new DeliveryChecker();
    /** Acked ids per room, in position order (one publisher at a time, each waiting for its acks). */
    private final Map<String, List<String>> acked = Collections.synchronizedMap(new LinkedHashMap<>());

    @BeforeAll
    static void start() {
        // Small replay pages: each resume reads its 150 missed messages in 15 reads, so reads are still going on when
        // the replica dies.
        cluster = ProcessCluster.start(new ProcessCluster.Options(1, 1, 2, true, false, false, false, SECRET)
                .withGateway("resume.page-size", "10"), 2);
    }

    @Test
    void everyResumeRecoversExactlyOnceWhenAReplicaDiesMidStormAndTheRestartedReplicaCatchesUp() throws Exception {
        List<URI> gateways = cluster.webSocketUris();
        List<String> rooms = IntStream.range(0, ROOMS).mapToObj(r -> "replicas:room-" + r).toList();
        List<ResumingClient> readers = new ArrayList<>();
        try (WsTestClient publisher = WsTestClient.connected(gateways.get(0), Subprotocol.PROTO,
                TOKENS.token("writer", rooms.toArray(String[]::new)));
             ExecutorService storm = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < ROOMS * READERS_PER_ROOM; i++) {
                String room = rooms.get(i % ROOMS);
                ResumingClient reader = new ResumingClient("reader-" + i, TOKENS, List.of(room),
                        checker.subscriber("reader-" + i, Set.of(room)));
                readers.add(reader);
                reader.connect(gateways.get(i % 2), Subprotocol.PROTO, WAIT);
                reader.disconnect();
            }
            // Every reader misses MISSED_PER_ROOM messages: its resume replays them from history.
            publish(publisher, rooms, 0, MISSED_PER_ROOM);

            long before = checker.deliveries();
            List<CompletableFuture<Void>> resumes = new ArrayList<>();
            for (int i = 0; i < readers.size(); i++) {
                ResumingClient reader = readers.get(i);
                URI gateway = gateways.get(i % 2);
                Subprotocol protocol = i % 4 < 2 ? Subprotocol.PROTO : Subprotocol.JSON;
                resumes.add(CompletableFuture.runAsync(() -> reader.connect(gateway, protocol, WAIT), storm));
            }
            CompletableFuture<Void> live = CompletableFuture.runAsync(
                    () -> publish(publisher, rooms, MISSED_PER_ROOM, MISSED_PER_ROOM + LIVE_PER_ROOM), storm);
            // Mid-storm: replays have begun to arrive, most resumes are still reading.
            await().atMost(WAIT).until(() -> checker.deliveries() > before);
            long resumedBeforeKill = resumes.stream().filter(CompletableFuture::isDone).count();
            cluster.history().kill();

            CompletableFuture.allOf(resumes.toArray(CompletableFuture[]::new)).join();
            live.join();
            await().atMost(WAIT).until(checker::allDelivered);
            assertThat(checker.violations()).isEmpty();
            for (ResumingClient reader : readers) {
                assertThat(reader.problems()).as("resume problems (events %s)", reader.events()).isEmpty();
            }
            System.out.printf("history replica killed with %d of %d resumes done; history reads retried on the other"
                    + " replica: %s%n", resumedBeforeKill, resumes.size(), retries());

            // The killed replica, restarted, is ready only once caught up; then it alone must hold everything.
            cluster.restart("history");
            publish(publisher, rooms, MISSED_PER_ROOM + LIVE_PER_ROOM, MISSED_PER_ROOM + LIVE_PER_ROOM + 5);
            cluster.histories().get(1).kill();
            for (String room : rooms) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(latest(gateways.get(1), room))
                        .containsExactlyElementsOf(List.copyOf(acked.get(room))));
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\ngaps: " + checker.gaps() + "\nservice logs:\n"
                    + cluster.logs(), e);
        } finally {
            readers.forEach(ResumingClient::close);
        }
    }

    /** Publishes messages {@code from} to {@code to} (exclusive) into every room, each acked before the next. */
    private void publish(WsTestClient publisher, List<String> rooms, int from, int to) {
        for (int n = from; n < to; n++) {
            for (String room : rooms) {
                String id = room.substring(room.indexOf(':') + 1) + "-" + n;
                publisher.publish(room, id, "message " + n);
                ServerFrame reply = publisher.nextMatching(f -> f.hasAck() || f.hasError(), WAIT);
                assertThat(reply.hasError()).as("publish %s failed: %s", id, reply).isFalse();
                Ack ack = reply.getAck();
                checker.acked(ack.getRoom(), ack.getId(), ack.getPosition());
                acked.computeIfAbsent(room, r -> Collections.synchronizedList(new ArrayList<>())).add(ack.getId());
            }
        }
    }

    /** The ids of {@code room}'s latest messages (all of them: fewer than a page), as a client reads them. */
    private static List<String> latest(URI gateway, String room) {
        try (WsTestClient client = WsTestClient.connected(gateway, Subprotocol.PROTO, TOKENS.token("auditor", room))) {
            client.send(ClientFrame.newBuilder().setHistory(HistoryRequest.newBuilder()
                    .setRequestId(7).setRoom(room).setDirection(HistoryDirection.LATEST).setLimit(500)).build());
            ServerFrame reply = client.nextMatching(f -> f.hasHistoryPage() || f.hasError(), WAIT);
            assertThat(reply.hasHistoryPage()).as("history reply: %s", reply).isTrue();
            HistoryPage page = reply.getHistoryPage();
            assertThat(page.getHasMore()).isFalse();
            return page.getMessagesList().stream().map(Message::getId).toList();
        }
    }

    /** {@code gateway_history_retries_total} of each gateway, for the log. */
    private static List<String> retries() {
        List<String> counts = new ArrayList<>();
        for (int i = 0; i < cluster.gateways().size(); i++) {
            try {
                String body = ServiceProcess.PLAIN_HTTP.send(HttpRequest.newBuilder(cluster.gatewayHttp(i)
                        .resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                counts.add(body.lines().filter(l -> l.startsWith("gateway_history_retries_total"))
                        .findFirst().orElse("gateway_history_retries_total ?"));
            } catch (java.io.IOException e) {
                counts.add("gateway-" + (i + 1) + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return counts;
    }
}
