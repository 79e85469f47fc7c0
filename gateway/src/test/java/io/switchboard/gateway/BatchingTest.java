package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Negotiated batching on real sockets (docs/protocol.md section 13): a client that offers a {@code +batch}
 * subprotocol gets a burst of room messages in fewer WebSocket messages than messages, and unpacked they are exactly
 * what a client without batching gets, in the same order.
 */
class BatchingTest {
    private static final AtomicInteger ROOMS = new AtomicInteger();
    private static final int BURST = 200;
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> { });
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void aBurstReachesABatchingClientInFewerWebSocketMessagesAsTheSameMessagesInOrder(Subprotocol encoding)
            throws Exception {
        String room = "batch-" + encoding.name().toLowerCase(java.util.Locale.ROOT) + "-" + ROOMS.incrementAndGet();
        double batchedFramesBefore = h.metric("gateway_batched_frames_total");
        try (WsTestClient batched = WsTestClient.connectedOffering(h.wsUri(), h.token("bob"), encoding.batchToken(),
                     encoding.token());
             WsTestClient plain = h.connect(encoding, "carol");
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, h.kafka.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            assertThat(batched.negotiatedToken()).isEqualTo(encoding.batchToken());
            assertThat(plain.negotiatedToken()).isEqualTo(encoding.token());
            batched.subscribeAndWait(room, WAIT);
            plain.subscribeAndWait(room, WAIT);
            int batchedBefore = batched.messagesReceived();
            int plainBefore = plain.messagesReceived();

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                String id = "burst-" + i;
                ids.add(id);
                producer.send(new ProducerRecord<>(GatewayHarness.TOPIC, room, Envelope.newBuilder().setId(id)
                        .setRoom(room).setSender(Sender.newBuilder().setUserId("alice"))
                        .setPayload(ByteString.copyFrom(id, StandardCharsets.UTF_8)).build().toByteArray()));
            }
            producer.flush();

            List<Message> bobSees = messages(batched, BURST);
            List<Message> carolSees = messages(plain, BURST);
            assertThat(bobSees).extracting(Message::getId).containsExactlyElementsOf(ids);
            assertThat(bobSees).containsExactlyElementsOf(carolSees);
            assertThat(plain.messagesReceived() - plainBefore).isEqualTo(BURST);
            int onTheWire = batched.messagesReceived() - batchedBefore;
            assertThat(onTheWire).as("WebSocket messages for %d room messages", BURST).isLessThan(BURST);
            assertThat(h.metric("gateway_batched_frames_total") - batchedFramesBefore)
                    .isGreaterThanOrEqualTo(BURST - onTheWire + 1);
        }
    }

    /** The next {@code n} room messages the client processes (batches unpacked), in arrival order. */
    private static List<Message> messages(WsTestClient client, int n) {
        List<Message> seen = new ArrayList<>();
        while (seen.size() < n) {
            ServerFrame f = client.nextMatching(ServerFrame::hasMessage, WAIT);
            seen.add(f.getMessage());
        }
        return seen;
    }
}
