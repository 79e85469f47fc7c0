package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.DeliveryChecker;
import io.switchboard.testkit.ResumingClient;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clients drop their connections at random moments (chosen by a seed) while a publisher keeps publishing,
 * then resume on a random gateway; afterwards each client's sequence per room must hold every acked
 * message, once, in position order and in the publisher's send order (it pipelines its publishes). Run one seed again with {@code -Dresume.seed=N}.
 */
class ResumeRandomizedTest {
    private static final String SECRET = "resume-randomized-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CLIENTS = 4;
    private static final int MESSAGES = 120;
    /** Publishes the publisher has waiting for their acks at once. */
    private static final int PUBLISH_WINDOW = 8;
    @AutoClose
    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.builder()
                .gateways(2)
                .history(true)
                .set("gateway.auth.hs256-secret", SECRET)
                .set("kafka.topic.partitions", "4")
                .build()
                .start();
    }

    static Stream<Long> seeds() {
        String fixed = System.getProperty("resume.seed");
        if (fixed != null) {
            return Stream.of(Long.parseLong(fixed));
        }
        long base = new Random().nextLong(1_000_000);
        return LongStream.range(base, base + 10).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyAckedMessageArrivesOnceInOrderAcrossRandomDisconnects(long seed) {
        Random random = new Random(seed);
        List<String> rooms = List.of("resume-" + seed + ":a", "resume-" + seed + ":b");
        DeliveryChecker checker = new DeliveryChecker();
        List<ResumingClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                ResumingClient client = new ResumingClient("reader-" + i, TOKENS, rooms,
                        checker.subscriber("reader-" + i, Set.copyOf(rooms)));
                client.connect(cluster.webSocketUri(random.nextInt(2)), protocol(random), WAIT);
                clients.add(client);
            }
            // The moments (in acked messages) at which some client drops, and when it comes back.
            Map<Integer, List<Integer>> drops = new HashMap<>();
            Map<Integer, List<Integer>> returns = new HashMap<>();
            for (int k = 0; k < 8; k++) {
                int at = random.nextInt(MESSAGES - 10);
                int client = random.nextInt(CLIENTS);
                drops.computeIfAbsent(at, x -> new ArrayList<>()).add(client);
                returns.computeIfAbsent(at + 1 + random.nextInt(20), x -> new ArrayList<>()).add(client);
            }

            CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> publish(rooms, checker, seed));
            for (int acked = 0; acked <= MESSAGES; acked++) {
                int target = acked;
                await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                        .until(() -> checker.ackedCount() >= target || publishing.isDone());
                for (int c : drops.getOrDefault(acked, List.of())) {
                    clients.get(c).disconnect();
                }
                for (int c : returns.getOrDefault(acked, List.of())) {
                    if (!clients.get(c).isConnected()) {
                        clients.get(c).connect(cluster.webSocketUri(random.nextInt(2)), protocol(random), WAIT);
                    }
                }
            }
            publishing.join();
            for (ResumingClient client : clients) {
                if (!client.isConnected()) {
                    client.connect(cluster.webSocketUri(random.nextInt(2)), protocol(random), WAIT);
                }
            }
            assertThat(checker.ackedCount()).as("seed %d", seed).isEqualTo(MESSAGES);
            await().atMost(WAIT).until(checker::allDelivered);
            assertThat(checker.violations()).as("seed %d", seed).isEmpty();
            assertThat(clients.stream().flatMap(c -> c.problems().stream())).as("seed %d", seed).isEmpty();
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError("failed with seed " + seed + " (rerun: -Dresume.seed=" + seed + "): "
                    + e.getMessage() + "; violations: " + checker.violations() + "; client events: "
                    + clients.stream().map(c -> c.events().toString()).toList(), e);
        } finally {
            clients.forEach(ResumingClient::close);
        }
    }

    private static Subprotocol protocol(Random random) {
        return random.nextBoolean() ? Subprotocol.JSON : Subprotocol.PROTO;
    }

    /**
     * Publishes MESSAGES messages over the rooms, pipelined (up to PUBLISH_WINDOW waiting for their acks), and
     * records each send (for the send-order check) and each ack.
     */
    private static void publish(List<String> rooms, DeliveryChecker checker, long seed) {
        try (WsTestClient publisher = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.PROTO, TOKENS.token("writer", rooms.toArray(String[]::new)))) {
            int sent = 0;
            for (int answered = 0; answered < MESSAGES; answered++) {
                for (; sent < MESSAGES && sent - answered < PUBLISH_WINDOW; sent++) {
                    String room = rooms.get(sent % rooms.size());
                    String id = "s" + seed + "-m" + sent;
                    checker.sent("writer", room, id);
                    publisher.publish(room, id, "message " + sent);
                }
                ServerFrame reply = publisher.nextMatching(f -> f.hasAck() || f.hasError(), WAIT);
                if (reply.hasError()) {
                    throw new AssertionError("publish failed: " + reply.getError());
                }
                Ack ack = reply.getAck();
                checker.acked(ack.getRoom(), ack.getId(), ack.getPosition());
            }
        }
    }
}
