package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.gateway.tls.TlsKeys;
import io.switchboard.gateway.ws.deflate.CompressionKeys;
import io.switchboard.gateway.ws.netty.NettyKeys;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.RawWebSocket;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway's Netty listener ({@code gateway.netty.port}) serves the same sessions as its main port: clients
 * connect with a token, subscribe, publish with acks and get their messages in order in both encodings (and
 * batched); bad input closes with the same codes ({@link WebSocketBadInputSuite}, and RFC 6455 violations 1002);
 * a client that vanishes frees its session.
 */
class NettyListenerTest extends WebSocketBadInputSuite {
    private static final AtomicInteger ROOMS = new AtomicInteger();
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.startWithNetty();
    }

    @Override
    GatewayHarness harness() {
        return h;
    }

    @Override
    URI endpoint() {
        return h.nettyUri();
    }

    /** A client of the main (Helidon) port, subscribed to a room of its own: bad input elsewhere must not disturb it. */
    private static final class Witness extends ChatWitness {
        Witness() {
            super(h, Subprotocol.PROTO, "witness");
        }
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void publishesAreAckedAndDeliveredInOrder(Subprotocol subprotocol) {
        String room = "netty-" + ROOMS.incrementAndGet();
        try (WsTestClient alice = WsTestClient.connected(h.nettyUri(), subprotocol, h.token("alice"));
             WsTestClient bob = WsTestClient.connected(h.nettyUri(), subprotocol, h.token("bob"))) {
            assertThat(alice.negotiatedToken()).isEqualTo(subprotocol.token());
            alice.subscribeAndWait(room, WAIT);
            bob.subscribeAndWait(room, WAIT);
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = "m-" + i;
                int requestId = alice.publish(room, id, "hello " + i);
                ServerFrame ack = alice.nextMatching(f -> f.hasAck() || f.hasError(), WAIT);
                assertThat(ack.hasAck()).as(ack.toString()).isTrue();
                assertThat(ack.getAck().getRequestId()).isEqualTo(requestId);
                sent.add(id);
            }
            List<String> received = new ArrayList<>();
            while (received.size() < sent.size()) {
                received.add(bob.nextMatching(ServerFrame::hasMessage, WAIT).getMessage().getId());
            }
            assertThat(received).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void helidonAndNettyClientsShareRooms() {
        try (Witness viaHelidon = new Witness();
             WsTestClient viaNetty = WsTestClient.connected(h.nettyUri(), Subprotocol.JSON, h.token("carol"))) {
            viaNetty.subscribeAndWait(viaHelidon.room, WAIT);
            String id = "x-" + UUID.randomUUID();
            viaHelidon.client.publish(viaHelidon.room, id, "across transports");
            ServerFrame m = viaNetty.nextMatching(f -> f.hasMessage() && f.getMessage().getId().equals(id), WAIT);
            assertThat(m.getMessage().getPayload().toStringUtf8()).isEqualTo("across transports");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"switchboard.v1.proto+batch", "switchboard.v1.json+batch"})
    void batchingOffersAreServed(String token) {
        String room = "netty-batch-" + ROOMS.incrementAndGet();
        try (WsTestClient c = WsTestClient.connectedOffering(h.nettyUri(), h.token("dave"), token)) {
            assertThat(c.negotiatedToken()).isEqualTo(token);
            c.subscribeAndWait(room, WAIT);
            String id = "b-" + UUID.randomUUID();
            c.publish(room, id, "batched");
            assertThat(c.nextMatching(f -> f.hasMessage() && f.getMessage().getId().equals(id), WAIT)
                    .getMessage().getPayload().toStringUtf8()).isEqualTo("batched");
        }
    }

    /** A bare WebSocket to the Netty listener, its reads bounded by {@code WAIT}, connected as {@code user}. */
    private static RawWebSocket connectedRaw(String user) throws IOException {
        RawWebSocket raw = RawWebSocket.connect(h.nettyUri(), Subprotocol.PROTO.token());
        try {
            raw.readTimeout(WAIT);
            raw.sendFrame(RawWebSocket.BINARY, connectFrame(h.token(user)).toByteArray());
            assertThat(raw.readFrame().opcode()).isEqualTo(RawWebSocket.BINARY); // Connected
            return raw;
        } catch (IOException | RuntimeException | Error e) {
            raw.close();
            throw e;
        }
    }

    @Test
    void aWebSocketPingIsAnsweredWithItsPayload() throws Exception {
        try (RawWebSocket raw = connectedRaw("pinger")) {
            raw.sendFrame(0x9, "are you there".getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame pong = raw.readFrame();
            assertThat(pong.opcode()).isEqualTo(0xA);
            assertThat(new String(pong.payload(), StandardCharsets.UTF_8)).isEqualTo("are you there");
        }
    }

    @Test
    void unmaskedFrameClosesWithProtocolError1002() throws Exception {
        try (RawWebSocket raw = RawWebSocket.connect(h.nettyUri(), Subprotocol.PROTO.token())) {
            raw.sendRaw(raw.encode(0x82, false, 2, new byte[] {0x0A, 0x00}));
            assertThat(raw.awaitCloseCode(WAIT)).isEqualTo(ErrorCode.CLOSE_PROTOCOL_ERROR_VALUE);
        }
    }

    @Test
    void anotherPathIs404() throws Exception {
        assertThat(UpgradeProbe.status(h.nettyUri("/elsewhere"), Subprotocol.PROTO.token())).isEqualTo(404);
    }

    @Test
    void theClientsCloseIsAnsweredAndFreesTheSession() throws Exception {
        try (RawWebSocket raw = connectedRaw("leaver")) {
            await().atMost(WAIT).until(() -> h.metric("gateway_connections") >= 1);
            raw.sendFrame(0x8, new byte[] {0x03, (byte) 0xE8}); // close 1000
            assertThat(raw.awaitCloseCode(WAIT)).isEqualTo(1000);
        }
        await().atMost(WAIT).until(() -> h.metric("gateway_connections") == 0);
    }

    @Test
    void aClientThatVanishesFreesItsSession() throws Exception {
        WsTestClient vanishing = WsTestClient.connected(h.nettyUri(), Subprotocol.JSON, h.token("vanishing"));
        vanishing.subscribeAndWait("netty-vanish-" + ROOMS.incrementAndGet(), WAIT);
        await().atMost(WAIT).until(() -> h.metric("gateway_connections") >= 1);
        vanishing.abort(); // no close frame: the TCP connection just goes
        await().atMost(WAIT).until(() -> h.metric("gateway_connections") == 0);
    }

    @Test
    void aClientOfferingCompressionGetsUncompressedFrames() throws Exception {
        // Compression is on for the main port (the default); the Netty listener declines it, as RFC 7692 allows.
        assertThat(h.gateway.config().get(CompressionKeys.ENABLED)).isTrue();
        try (RawWebSocket offering = RawWebSocket.connect(h.nettyUri(), Subprotocol.JSON.token(),
                Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"))) {
            assertThat(offering.handshakeHeader("Sec-WebSocket-Extensions")).isEmpty();
            offering.sendFrame(RawWebSocket.TEXT, ("{\"connect\":{\"token\":\"" + h.token("offering")
                    + "\"}}").getBytes(StandardCharsets.UTF_8));
            RawWebSocket.Frame answer = offering.readFrame();
            assertThat(answer.rsv1()).isFalse();
            assertThat(new String(answer.payload(), StandardCharsets.UTF_8)).contains("\"connected\"");
        }
    }

    @Test
    void theListenerRefusesTlsAtStart() {
        assertThatThrownBy(() -> GatewayConfig.builder().set(GatewayKeys.AUTH.hs256Secret, GatewayHarness.SECRET)
                .set(NettyKeys.PORT, 0)
                .set(TlsKeys.CERTIFICATE, Path.of("server.pem")).set(TlsKeys.PRIVATE_KEY, Path.of("server.key"))
                .build())
                .hasMessageContaining("gateway.netty.port")
                .hasMessageContaining("gateway.tls.certificate");
    }
}
