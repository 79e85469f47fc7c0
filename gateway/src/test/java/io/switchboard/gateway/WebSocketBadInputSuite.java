package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.testkit.RawWebSocket;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.Test;

/**
 * The bad input every WebSocket listener of the gateway (Helidon's on {@code gateway.port}, Netty's on
 * {@code gateway.netty.port}) must refuse alike: each case ends its own connection with the documented code, and a
 * client already connected to the main port keeps getting messages afterwards. A subclass names the gateway and
 * the endpoint under test.
 */
abstract class WebSocketBadInputSuite {
    /** The running gateway. */
    abstract GatewayHarness harness();

    /** The WebSocket endpoint under test. */
    abstract URI endpoint();

    private ChatWitness witness() {
        return new ChatWitness(harness(), Subprotocol.PROTO, "witness");
    }

    private WsTestClient connect(Subprotocol subprotocol, String user) {
        return WsTestClient.connected(endpoint(), subprotocol, harness().token(user));
    }

    /**
     * {@code bad}'s connection is closed with {@code code} and a reason that contains {@code reason}, and
     * {@code witness} (connected to the main port) still gets messages after it.
     */
    static void assertClosedWhileWitnessReceives(WsTestClient bad, int code, String reason, ChatWitness witness) {
        WsTestClient.Closed closed = bad.awaitClose(WAIT);
        assertThat(closed.code()).isEqualTo(code);
        assertThat(closed.reason()).contains(reason);
        witness.assertStillReceives();
    }

    static ClientFrame connectFrame(String token) {
        return ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token)).build();
    }

    @Test
    void malformedBinaryFrameClosesWithProtocolError() {
        try (ChatWitness w = witness(); WsTestClient bad = connect(Subprotocol.PROTO, "bad")) {
            bad.sendBinary(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            assertClosedWhileWitnessReceives(bad, ErrorCode.PROTOCOL_ERROR_VALUE, "malformed protobuf", w);
        }
    }

    @Test
    void malformedJsonClosesWithProtocolError() {
        try (ChatWitness w = witness(); WsTestClient bad = connect(Subprotocol.JSON, "bad")) {
            bad.sendText("{\"subscribe\": {\"room\": ");
            assertClosedWhileWitnessReceives(bad, ErrorCode.PROTOCOL_ERROR_VALUE, "malformed JSON", w);
        }
    }

    @Test
    void oversizedFrameClosesWith1009() throws Exception {
        // Only the frame header is sent: the listener rejects the frame by its announced length, before reading it.
        // (A client that writes the whole oversized frame may see a TCP reset, 1006, overtake the close frame.)
        try (ChatWitness w = witness()) {
            int code = UpgradeProbe.closeCodeForAnnouncedFrame(endpoint(), Subprotocol.PROTO.token(),
                    connectFrame(harness().token("bad")).toByteArray(),
                    harness().gateway.config().get(GatewayKeys.MAX_FRAME_BYTES) + 1L);
            assertThat(code).isEqualTo(ErrorCode.CLOSE_MESSAGE_TOO_BIG_VALUE);
            w.assertStillReceives();
        }
    }

    @Test
    void fragmentsAddingUpBeyondTheLimitCloseWith1009() throws Exception {
        int half = harness().gateway.config().get(GatewayKeys.MAX_FRAME_BYTES) / 2 + 1;
        try (RawWebSocket raw = RawWebSocket.connect(endpoint(), Subprotocol.PROTO.token())) {
            raw.readTimeout(WAIT);
            raw.sendFrame(RawWebSocket.BINARY, connectFrame(harness().token("fragments")).toByteArray());
            assertThat(raw.readFrame().opcode()).isEqualTo(RawWebSocket.BINARY); // Connected
            raw.sendRaw(raw.encode(0x02, true, half, new byte[half])); // binary, not final
            raw.sendRaw(raw.encode(0x80, true, half, new byte[half])); // final continuation
            assertThat(raw.awaitCloseCode(WAIT)).isEqualTo(ErrorCode.CLOSE_MESSAGE_TOO_BIG_VALUE);
        }
    }

    @Test
    void invalidUtf8TextClosesWith1007() throws Exception {
        try (ChatWitness w = witness()) {
            try (RawWebSocket raw = RawWebSocket.connect(endpoint(), Subprotocol.JSON.token())) {
                byte[] json = ("{\"connect\":{\"token\":\"" + harness().tokens.token("bad") + "\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                raw.sendFrame(RawWebSocket.TEXT, json);
                raw.sendFrame(RawWebSocket.TEXT, new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', '}'});
                assertThat(raw.awaitCloseCode(WAIT)).isEqualTo(ErrorCode.CLOSE_INVALID_PAYLOAD_VALUE);
            }
            w.assertStillReceives();
        }
    }

    @Test
    void unsupportedSubprotocolIsRefusedWithHttp400() {
        try (ChatWitness w = witness()) {
            WsTestClient refused = WsTestClient.connectRaw(endpoint(), "mqtt", "switchboard.v2.json");
            assertThat(refused.handshakeStatus()).isEqualTo(400);
            w.assertStillReceives();
        }
    }
}
