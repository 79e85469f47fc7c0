package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.roomlog.RoomRecords;
import io.switchboard.testkit.MetricsScrape;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The single-process default's local feed ({@code launcher.local-feed}): the routers hand each record they store
 * to the gateways of the process, whose consumers catch up on the rest. Whichever way a record comes, every
 * subscriber gets each message once and in its room's order: two routers write into the same two partitions (so
 * a gateway is handed records of a partition by two producer threads, some ahead of one still on its way), and a
 * writer outside the process (a Kafka producer of the test's, as a router of another process would be) stores
 * messages in the same rooms meanwhile, which only the consumers can bring.
 */
class LocalFeedTest {
    private static final String SECRET = "local-feed-test-secret-0123456789abcdefgh";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> ROOMS = IntStream.range(0, 8).mapToObj("feed:r%d"::formatted).toList();
    private static final int PUBLISHES_PER_ROOM = 30;
    private static final int OUTSIDE_PER_ROOM = 10;

    private LocalCluster cluster;

    @AfterEach
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everySubscriberGetsEachMessageOnceInRoomOrderWhetherHandedOverOrReadFromKafka() throws Exception {
        cluster = LocalCluster.builder()
                .routers(2)
                .gateways(2)
                .set("gateway.auth.hs256-secret", SECRET)
                .set("kafka.topic.partitions", "2")
                .build()
                .start();
        Set<String> expected = new HashSet<>();
        List<WsTestClient> subscribers = new ArrayList<>();
        List<WsTestClient> publishers = new ArrayList<>();
        try {
            for (int g = 0; g < 2; g++) {
                WsTestClient subscriber = WsTestClient.connected(cluster.webSocketUri(g), Subprotocol.JSON,
                        TOKENS.token("watcher-" + g, "feed:*"));
                subscribers.add(subscriber);
                for (String room : ROOMS) {
                    subscriber.subscribeAndWait(room, WAIT);
                }
                publishers.add(WsTestClient.connected(cluster.webSocketUri(g), Subprotocol.JSON,
                        TOKENS.token("publisher-" + g, "feed:*")));
            }
            CompletableFuture<Void> outside = CompletableFuture.runAsync(this::writeFromOutside);
            for (int i = 0; i < PUBLISHES_PER_ROOM; i++) {
                WsTestClient publisher = publishers.get(i % 2);
                Set<Integer> inFlight = new HashSet<>();
                for (String room : ROOMS) {
                    String id = room + ".p" + i;
                    expected.add(id);
                    inFlight.add(publisher.publish(room, id, id));
                }
                while (!inFlight.isEmpty()) {
                    ServerFrame answer = publisher.nextMatching(f -> f.hasAck() || f.hasError(), WAIT);
                    assertThat(answer.hasAck()).as("answer %s", answer).isTrue();
                    inFlight.remove(answer.getAck().getRequestId());
                }
            }
            outside.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            for (String room : ROOMS) {
                for (int i = 0; i < OUTSIDE_PER_ROOM; i++) {
                    expected.add(room + ".o" + i);
                }
            }

            for (WsTestClient subscriber : subscribers) {
                Map<String, Long> lastPosition = new HashMap<>();
                Set<String> received = new HashSet<>();
                while (received.size() < expected.size()) {
                    Message m = subscriber.nextMatching(ServerFrame::hasMessage, WAIT).getMessage();
                    assertThat(received.add(m.getId())).as("%s delivered once", m.getId()).isTrue();
                    Long before = lastPosition.put(m.getRoom(), m.getPosition());
                    if (before != null) {
                        assertThat(m.getPosition()).as("%s after position %d in %s", m.getId(), before, m.getRoom())
                                .isGreaterThan(before);
                    }
                }
                assertThat(received).containsExactlyInAnyOrderElementsOf(expected);
            }
        } finally {
            subscribers.forEach(WsTestClient::close);
            publishers.forEach(WsTestClient::close);
        }

        // The mechanism: each gateway dispatched records handed over by the routers, and read at least the outside
        // writer's from Kafka.
        assertThat(status(cluster).get("routers").findValues("local_feed")).extracting(JsonNode::asBoolean)
                .containsExactly(true, true);
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (int g = 0; g < 2; g++) {
                var metrics = cluster.httpUri(g).resolve("/metrics");
                double handedOver = MetricsScrape.sample(http, metrics, "gateway_fanout_handed_over_records_total");
                double delivered = MetricsScrape.sample(http, metrics,
                        "gateway_fanout_records_total{result=\"delivered\"}");
                assertThat(handedOver).as("gateway %d: records handed over", g)
                        .isGreaterThanOrEqualTo(ROOMS.size());
                assertThat(delivered - handedOver).as("gateway %d: records read from Kafka", g)
                        .isGreaterThanOrEqualTo(ROOMS.size() * OUTSIDE_PER_ROOM);
            }
        }
    }

    @Test
    void withTheFeedOffEveryRecordIsReadFromKafka() throws Exception {
        cluster = LocalCluster.builder()
                .set("gateway.auth.hs256-secret", SECRET)
                .localFeed(false)
                .build()
                .start();
        try (WsTestClient subscriber = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.JSON,
                TOKENS.token("watcher", "feed:*"));
             WsTestClient publisher = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.JSON,
                     TOKENS.token("publisher", "feed:*"))) {
            subscriber.subscribeAndWait("feed:off", WAIT);
            CrossGatewayMessages.publishAndReceiveInOrder(publisher, subscriber, "feed:off", "off-", 5, WAIT);
        }
        assertThat(status(cluster).get("routers").findValues("local_feed")).extracting(JsonNode::asBoolean)
                .containsExactly(false);
        try (HttpClient http = HttpClient.newHttpClient()) {
            var metrics = cluster.httpUri(0).resolve("/metrics");
            assertThat(MetricsScrape.sample(http, metrics, "gateway_fanout_records_total{result=\"delivered\"}"))
                    .as("records delivered").isGreaterThanOrEqualTo(5);
            assertThat(MetricsScrape.sample(http, metrics, "gateway_fanout_handed_over_records_total"))
                    .as("records handed over").isZero();
        }
    }

    private static JsonNode status(LocalCluster cluster) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(
                    cluster.httpUri(0).resolve("launcher/status")).build(), HttpResponse.BodyHandlers.ofString())
                    .body());
        }
    }

    /** A router of another process: stores messages in the same rooms directly, through its own producer. */
    private void writeFromOutside() {
        Properties props = new Properties();
        props.put("bootstrap.servers", cluster.bootstrapServers());
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < OUTSIDE_PER_ROOM; i++) {
                for (String room : ROOMS) {
                    String id = room + ".o" + i;
                    Envelope envelope = Envelope.newBuilder().setId(id).setRoom(room)
                            .setSender(Sender.newBuilder().setUserId("outside"))
                            .setPayload(ByteString.copyFrom(id, StandardCharsets.UTF_8)).build();
                    ProducerRecord<byte[], byte[]> record = RoomRecords.record("switchboard.rooms", room, envelope,
                            Instant.now());
                    producer.send(record).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("the outside writer failed", e);
        }
    }
}
