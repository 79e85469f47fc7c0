package io.switchboard.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.testkit.RawWebSocket;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each kind of bad input ends (or does not end) its own connection with the documented code, and a second,
 * already connected client on the same gateway keeps getting messages afterwards; the cases every WebSocket listener
 * shares are in {@link WebSocketBadInputSuite}, run here against the main (Helidon) port.
 */
class BadInputTest extends WebSocketBadInputSuite {
    private static final AtomicInteger ROOMS = new AtomicInteger();
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        // A small outbound bound (the smallest the frame limit allows) keeps the slow-consumer flood short;
        // a long close timeout lets the slow client read up to the close frame before the gateway aborts.
        h = GatewayHarness.start(c -> c.set(GatewayKeys.MAX_OUTBOUND_QUEUE_BYTES, 131_072L)
                .set(GatewayKeys.CLOSE_TIMEOUT, Duration.ofSeconds(60)));
    }

    @Override
    GatewayHarness harness() {
        return h;
    }

    @Override
    java.net.URI endpoint() {
        return h.wsUri();
    }

    /** A connected client subscribed to its own room. */
    private static final class Witness extends ChatWitness {
        Witness() {
            super(h, Subprotocol.PROTO, "witness");
        }
    }

    @Test
    void unknownJsonFieldClosesWithProtocolError() {
        try (Witness w = new Witness(); WsTestClient bad = h.connect(Subprotocol.JSON, "bad")) {
            bad.sendText("{\"subscribe\":{\"requestId\":1,\"room\":\"a\",\"colour\":\"red\"}}");
            assertThat(bad.awaitClose(WAIT).code()).isEqualTo(ErrorCode.PROTOCOL_ERROR_VALUE);
            w.assertStillReceives();
        }
    }

    @Test
    void unknownFrameTypeClosesWithProtocolError() {
        try (Witness w = new Witness(); WsTestClient bad = h.connect(Subprotocol.PROTO, "bad")) {
            bad.sendBinary(new byte[] {(byte) 0x78, 0x01}); // field 15: no such frame type in v1
            assertClosedWhileWitnessReceives(bad, ErrorCode.PROTOCOL_ERROR_VALUE, "frame type", w);
        }
    }

    @Test
    void theCloseFrameNeverInterleavesWithTheSessionsOwnWrites() throws Exception {
        // The Connected reply (written by the session's writer) and Helidon's close 1009 (written by the connection's
        // thread) leave at nearly the same time on every attempt: both must arrive whole, so the close code is read.
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            codes.add(UpgradeProbe.closeCodeForAnnouncedFrame(h.wsUri(), Subprotocol.PROTO.token(),
                    connectFrame(h.tokens.token("racer-" + i)).toByteArray(), 131_073));
        }
        assertThat(codes).containsOnly(ErrorCode.CLOSE_MESSAGE_TOO_BIG_VALUE);
    }

    @Test
    void frameUnderTheLimitWithAnOversizedPayloadIsOnlyAnError() throws Exception {
        try (Witness w = new Witness(); WsTestClient c = h.connect(Subprotocol.PROTO, "c")) {
            byte[] frame = ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(1).setRoom("r")
                    .setPayload(ByteString.copyFrom(new byte[70_000]))).build().toByteArray();
            c.sendBinary(frame); // under the frame limit, over the payload limit: an Error, not a close
            assertThat(c.next(WAIT).getError().getCode()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
            w.assertStillReceives();
        }
    }

    @Test
    void publishBeforeConnectClosesWithProtocolError() {
        try (Witness w = new Witness(); WsTestClient bad = WsTestClient.connect(h.wsUri(), Subprotocol.PROTO)) {
            bad.publish("room", "id-1", "too early");
            assertClosedWhileWitnessReceives(bad, ErrorCode.PROTOCOL_ERROR_VALUE, "first frame must be Connect", w);
        }
    }

    @Test
    void forgedTokenClosesWithInvalidToken() {
        String forged = TestTokens.hs256("not-the-gateway-secret-not-the-gateway").token("mallory");
        try (Witness w = new Witness(); WsTestClient bad = WsTestClient.connect(h.wsUri(), Subprotocol.JSON)) {
            bad.send(connectFrame(forged));
            assertClosedWhileWitnessReceives(bad, ErrorCode.INVALID_TOKEN_VALUE, "bad signature", w);
        }
    }

    @Test
    void expiredTokenClosesWithTokenExpired() {
        try (Witness w = new Witness(); WsTestClient bad = WsTestClient.connect(h.wsUri(), Subprotocol.PROTO)) {
            bad.send(connectFrame(h.tokens.expiredToken("late")));
            assertThat(bad.awaitClose(WAIT).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED_VALUE);
            w.assertStillReceives();
        }
    }

    @Test
    void invalidRoomIsAnErrorAndTheConnectionStaysOpen() {
        try (Witness w = new Witness(); WsTestClient c = h.connect(Subprotocol.JSON, "c")) {
            c.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(9).setRoom("bad room!")).build());
            ServerFrame e = c.next(WAIT);
            assertThat(e.getError().getCode()).isEqualTo(ErrorCode.INVALID_ROOM);
            assertThat(e.getError().getRequestId()).isEqualTo(9);
            assertThat(e.getError().getRoom()).isEqualTo("bad room!");
            assertThat(e.getError().getRetriable()).isFalse();
            int rid = c.publish("", "id", "x");
            ServerFrame e2 = c.next(WAIT);
            assertThat(e2.getError().getCode()).isEqualTo(ErrorCode.INVALID_ROOM);
            assertThat(e2.getError().getRequestId()).isEqualTo(rid);
            assertThat(c.isOpen()).isTrue();
            c.subscribeAndWait("good-room", WAIT);
            w.assertStillReceives();
        }
    }

    @Test
    void slowConsumerIsClosedWith3001AndItsQueueDropped() throws Exception {
        String flood = "flood-" + ROOMS.incrementAndGet();
        try (Witness w = new Witness();
             RawWebSocket slow = RawWebSocket.connect(h.wsUri(), Subprotocol.PROTO.token());
             KafkaProducer<String, byte[]> producer = producer(h.kafka.bootstrapServers())) {
            slow.sendFrame(RawWebSocket.BINARY, connectFrame(h.token("slow")).toByteArray());
            slow.sendFrame(RawWebSocket.BINARY, ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder()
                    .setRequestId(1).setRoom(flood)).build().toByteArray());
            // The slow client never reads: socket buffers fill, then the gateway's outbound queue overflows.
            byte[] value = Envelope.newBuilder().setId("f").setRoom(flood)
                    .setSender(Sender.newBuilder().setUserId("flooder"))
                    .setPayload(ByteString.copyFrom(new byte[60_000])).build().toByteArray();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10)).until(() -> {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(GatewayHarness.TOPIC, flood, value));
                }
                producer.flush();
                return h.metric("gateway_slow_consumer_disconnects_total") >= 1;
            });
            // Reading now drains the socket; the last frame is the close frame.
            assertThat(slow.awaitCloseCode(Duration.ofSeconds(30))).isEqualTo(ErrorCode.SLOW_CONSUMER_VALUE);
            w.assertStillReceives();
            await().atMost(WAIT).until(() -> h.metric("gateway_outbound_queue_bytes") == 0);
        }
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());
    }

}
