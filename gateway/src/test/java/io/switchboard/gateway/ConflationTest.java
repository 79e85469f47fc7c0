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
import io.switchboard.proto.client.v1.Message;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Conflated delivery ({@code gateway.conflation.namespaces.<ns>.max-rate}) on real sockets: a burst into a conflated
 * room reaches a subscriber as a few messages ending with the latest, in order, with their stored positions; a
 * resume from one of them replays every stored message after it; a room of another namespace gets everything.
 */
class ConflationTest {
    private static final int BURST = 100;
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(ConflationKeys.MAX_RATE, "ticker", 2));
    }

    @AfterAll
    static void stop() {
        if (h != null) {
            h.close();
        }
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

    private static byte[] envelope(String room, String id) {
        return Envelope.newBuilder().setId(id).setRoom(room).setSender(Sender.newBuilder().setUserId("feed"))
                .setPayload(ByteString.copyFrom(id, StandardCharsets.UTF_8)).build().toByteArray();
    }
}
