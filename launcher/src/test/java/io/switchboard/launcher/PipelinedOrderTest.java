package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.gateway.routing.RendezvousPicker;
import io.switchboard.gateway.routing.RouterEndpoint;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.router.RouterServer;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pipelined publishes from one connection into one room are stored in the order they were sent, also when the
 * room's router is killed while they are in flight: 64 publishes (the gateway's in-flight limit) go out without
 * waiting for acks while the owner goes down; the client resends what failed, in order, as the SDKs do; a
 * subscriber and the acks' positions then show the sent order.
 */
class PipelinedOrderTest {
    private static final String SECRET = "pipelined-order-test-secret-0123456789abcdef";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final int PUBLISHES = 64;
    /** Resend rounds at most; each one waits for every answer of the one before, so the bound is not timing. */
    private static final int MAX_ROUNDS = 20;

    private LocalCluster cluster;

    @BeforeEach
    void startCluster() {
        cluster = LocalCluster.builder()
                .routers(2)
                .gateways(1)
                .set("gateway.auth.hs256-secret", SECRET)
                .set("kafka.topic.partitions", "4")
                .build()
                .start();
    }

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void sixtyFourPipelinedPublishesAcrossARouterKillAreStoredInSendOrder() throws Exception {
        String room = "order:kill";
        List<String> sent = IntStream.range(0, PUBLISHES).mapToObj("p-%02d"::formatted).toList();
        try (WsTestClient subscriber = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.JSON,
                TOKENS.token("watcher", "order:*"));
             WsTestClient publisher = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.JSON,
                     TOKENS.token("pipeliner", "order:*"))) {
            subscriber.subscribeAndWait(room, WAIT);
            RouterServer owner = ownerOf(room);

            // The first half goes out at once; the owner is killed once the first ack is back, while the second
            // half is being sent.
            Map<Integer, String> inFlight = new LinkedHashMap<>();
            for (String id : sent.subList(0, PUBLISHES / 2)) {
                inFlight.put(publisher.publish(room, id, "payload " + id), id);
            }
            Map<String, Long> positions = new HashMap<>();
            List<String> failed = new ArrayList<>();
            answer(publisher.nextMatching(f -> f.hasAck() || f.hasError(), WAIT), inFlight, positions, failed);
            CompletableFuture<Void> kill = CompletableFuture.runAsync(() -> owner.shutdown(Duration.ZERO));
            for (String id : sent.subList(PUBLISHES / 2, PUBLISHES)) {
                inFlight.put(publisher.publish(room, id, "payload " + id), id);
            }
            kill.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

            // Every answer of a round before the next; the failed ones again, in the order they were first sent.
            int rounds = 0;
            while (true) {
                while (!inFlight.isEmpty()) {
                    answer(publisher.nextMatching(f -> f.hasAck() || f.hasError(), WAIT), inFlight, positions, failed);
                }
                if (failed.isEmpty()) {
                    break;
                }
                assertThat(++rounds).as("resend rounds").isLessThanOrEqualTo(MAX_ROUNDS);
                List<String> resend = sent.stream().filter(failed::contains).toList();
                failed.clear();
                for (String id : resend) {
                    inFlight.put(publisher.publish(room, id, "payload " + id), id);
                }
            }

            assertThat(positions.keySet()).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(sent.stream().map(positions::get).toList()).as("ack positions in send order").isSorted();
            // What the subscriber sees, a repeat of an id (stored again by the second router) dropped as the SDKs do.
            Set<String> delivered = new LinkedHashSet<>();
            while (delivered.size() < PUBLISHES) {
                Message m = subscriber.nextMatching(ServerFrame::hasMessage, WAIT).getMessage();
                delivered.add(m.getId());
            }
            assertThat(List.copyOf(delivered)).as("delivery order").containsExactlyElementsOf(sent);
            System.out.printf("pipelined across a router kill: %d resend rounds%n", rounds);
        }
    }

    /** Records one ack (its position) or error (to resend) and takes its publish out of {@code inFlight}. */
    private static void answer(ServerFrame frame, Map<Integer, String> inFlight, Map<String, Long> positions,
                               List<String> failed) {
        int requestId = frame.hasAck() ? frame.getAck().getRequestId() : frame.getError().getRequestId();
        String id = inFlight.remove(requestId);
        assertThat(id).as("answer to an unknown request: %s", frame).isNotNull();
        if (frame.hasAck()) {
            positions.put(id, frame.getAck().getPosition());
        } else {
            assertThat(frame.getError().getRetriable()).as("error for %s: %s", id, frame).isTrue();
            failed.add(id);
        }
    }

    /** The router the gateway sends {@code room} to while both are up. */
    private RouterServer ownerOf(String room) {
        List<RouterEndpoint> endpoints = cluster.routers().stream()
                .map(r -> new RouterEndpoint("127.0.0.1", r.port())).toList();
        RouterEndpoint owner = new RendezvousPicker(endpoints).pick(room);
        return cluster.routers().stream().filter(r -> r.port() == owner.port()).findFirst().orElseThrow();
    }
}
