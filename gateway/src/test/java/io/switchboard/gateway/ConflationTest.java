package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.switchboard.gateway.session.ConflationKeys;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Conflated delivery ({@code gateway.conflation.namespaces.<ns>.max-rate}) on real sockets: a burst into a conflated
 * room reaches a subscriber as a few messages ending with the latest, in order, with their stored positions; a
 * resume from one of them replays every stored message after it; a room of another namespace gets everything.
 * Published with conflation keys, each key of a room is conflated on its own and its latest arrives, with its key;
 * a malformed key is refused with INVALID_CONFLATION_KEY.
 */
class ConflationTest {
    private static final int BURST = 100;
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(ConflationKeys.MAX_RATE, "ticker", 2)
                .set(GatewayKeys.MAX_INFLIGHT_PUBLISHES, BURST));
    }

    @Test
    void aBurstArrivesAsAFewMessagesEndingWithTheLatestAndResumeStillRecoversEverything() throws Exception {
        String room = "ticker:btc";
        String plainRoom = "chat:btc";
        try (WsTestClient dashboard = h.connect(Subprotocol.JSON, "dash");
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, h.kafka.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            dashboard.subscribeAndWait(room, WAIT);
            dashboard.subscribeAndWait(plainRoom, WAIT);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                String id = "tick-" + i;
                ids.add(id);
                producer.send(new ProducerRecord<>(GatewayHarness.TOPIC, room, envelope(room, id)));
                producer.send(new ProducerRecord<>(GatewayHarness.TOPIC, plainRoom, envelope(plainRoom, id)));
            }
            producer.flush();

            List<Message> ticker = new ArrayList<>();
            List<Message> chat = new ArrayList<>();
            String last = ids.getLast();
            while (ticker.isEmpty() || !ticker.getLast().getId().equals(last) || chat.size() < BURST) {
                Message m = dashboard.nextMatching(ServerFrame::hasMessage, WAIT).getMessage();
                (m.getRoom().equals(room) ? ticker : chat).add(m);
            }
            assertThat(chat).extracting(Message::getId).as("a room of another namespace gets every message")
                    .containsExactlyElementsOf(ids);
            assertThat(ticker.size()).as("conflated at 2 per second: %s", ticker).isLessThan(BURST / 2);
            assertThat(ticker.getFirst().getId()).isEqualTo("tick-0");
            assertThat(ticker.getLast().getId()).as("the latest wins").isEqualTo(last);
            assertThat(ids).containsSubsequence(ticker.stream().map(Message::getId).toList());
            for (int i = 1; i < ticker.size(); i++) {
                assertThat(ticker.get(i).getPosition()).isGreaterThan(ticker.get(i - 1).getPosition());
            }

            // Positions are the stored ones: a client that processed only the first one resumes after it and
            // recovers every message stored since, in order.
            Message first = ticker.getFirst();
            try (WsTestClient resumed = h.connect(Subprotocol.PROTO, "late")) {
                int requestId = resumed.nextRequestId();
                resumed.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(requestId)
                        .setRoom(room).setResumeFrom(ResumeFrom.newBuilder().setPosition(first.getPosition())
                                .setEpoch(first.getEpoch()))).build());
                ServerFrame subscribed = resumed.nextMatching(ServerFrame::hasSubscribed, WAIT);
                assertThat(subscribed.getSubscribed().getRecovered()).as(subscribed.toString()).isTrue();
                List<String> replayed = new ArrayList<>();
                while (replayed.size() < BURST - 1) {
                    replayed.add(resumed.nextMatching(ServerFrame::hasMessage, WAIT).getMessage().getId());
                }
                assertThat(replayed).containsExactlyElementsOf(ids.subList(1, BURST));
            }
        }
    }

    @Test
    void eachKeyOfARoomConflatesOnItsOwnAndItsLatestArrivesWithItsKey() throws Exception {
        String room = "ticker:prices";
        List<String> keys = List.of("btc", "eth", "sol");
        try (WsTestClient dashboard = h.connect(Subprotocol.JSON, "board");
             WsTestClient feed = h.connect(Subprotocol.PROTO, "feed")) {
            dashboard.subscribeAndWait(room, WAIT);
            double replacedBefore = h.metric("gateway_conflation_replaced_total{namespace=\"ticker\"}");
            for (int i = 0; i < BURST; i++) {
                String key = keys.get(i % keys.size());
                feed.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(i + 1).setAck(true)
                        .setRoom(room).setId(key + "-" + i).setConflationKey(key)
                        .setPayload(ByteString.copyFromUtf8(key + " " + i))).build());
            }
            // The latest of a key is the one stored last: the harness's router may store a burst in any order.
            Map<String, String> lastOfKey = new java.util.HashMap<>();
            Map<String, Long> lastPosition = new java.util.HashMap<>();
            for (int i = 0; i < BURST; i++) {
                ServerFrame answer = feed.nextMatching(f -> f.hasAck() || f.hasError(), WAIT);
                assertThat(answer.hasAck()).as(answer.toString()).isTrue();
                int sent = answer.getAck().getRequestId() - 1;
                String key = keys.get(sent % keys.size());
                if (answer.getAck().getPosition() >= lastPosition.getOrDefault(key, -1L)) {
                    lastPosition.put(key, answer.getAck().getPosition());
                    lastOfKey.put(key, key + "-" + sent);
                }
            }
            Map<String, Message> latest = new java.util.HashMap<>();
            int received = 0;
            while (!keys.stream().allMatch(k -> latest.containsKey(k)
                    && latest.get(k).getId().equals(lastOfKey.get(k)))) {
                Message m = dashboard.nextMatching(ServerFrame::hasMessage, WAIT).getMessage();
                assertThat(m.getId()).as("delivered with its key").startsWith(m.getConflationKey() + "-");
                latest.put(m.getConflationKey(), m);
                received++;
            }
            assertThat(received).as("conflated per key").isLessThan(BURST);
            assertThat(h.metric("gateway_conflation_replaced_total{namespace=\"ticker\"}"))
                    .as("the ones that never went live are counted").isGreaterThan(replacedBefore);
            assertThat(h.metric("gateway_conflation_delivered_total{namespace=\"ticker\"}")).isPositive();
        }
    }

    @Test
    void aMalformedConflationKeyIsRefusedWithItsCode() {
        try (WsTestClient c = h.connect(Subprotocol.JSON, "feed")) {
            c.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(7).setRoom("ticker:x")
                    .setConflationKey("has space").setPayload(ByteString.copyFromUtf8("p"))).build());
            ServerFrame error = c.nextMatching(ServerFrame::hasError, WAIT);
            assertThat(error.getError().getCode()).isEqualTo(ErrorCode.INVALID_CONFLATION_KEY);
            assertThat(error.getError().getRequestId()).isEqualTo(7);
            assertThat(error.getError().getMessage()).contains("conflation_key");
        }
    }

    private static byte[] envelope(String room, String id) {
        return Envelope.newBuilder().setId(id).setRoom(room).setSender(Sender.newBuilder().setUserId("feed"))
                .setPayload(ByteString.copyFrom(id, StandardCharsets.UTF_8)).build().toByteArray();
    }
}
