package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

import io.switchboard.gateway.limits.LimitKeys;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.RawWebSocket;
import io.switchboard.testkit.Subprotocol;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection that has ended, however it ended, no longer counts against its user's cap: one user connects again
 * and again, each time waiting until the gateway has ended the previous connection, ended another way each test
 * (the gateway's own close, the WebSocket layer's closes, a frame that breaks the HTTP layer, the client's close),
 * many more times than the cap allows at once. Every new connection must be accepted at once (not only after the
 * transport reaper's next tick: with the cap counting ended connections until then, the network fuzz test's
 * reconnecting clients were refused 3005), and the gateway must count no connection once they are all gone.
 */
class ConnectionCleanupTest {
    private static final int CAP = 3;
    private static final int ROUNDS = 4 * CAP;
    @AutoClose
    private static GatewayHarness h;

    /** How a connected client makes the gateway end its connection: raw bytes sent after Connect. */
    enum Ending {
        MALFORMED_FRAME(ws -> ws.encode(0x82, true, 3, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF})),
        UNMASKED_FRAME(ws -> ws.encode(0x82, false, 2, new byte[] {0x0A, 0x00})),
        RESERVED_BITS(ws -> ws.encode(0x80 | 0x40 | 0x2, true, 2, new byte[] {0x0A, 0x00})),
        RESERVED_OPCODE(ws -> ws.encode(0x80 | 0x6, true, 2, new byte[] {0x0A, 0x00})),
        ANNOUNCED_BEYOND_LIMIT(ws -> ws.encode(0x82, true, 1L << 40, new byte[0])),
        INVALID_UTF8_TEXT(ws -> ws.encode(0x81, true, 2, new byte[] {(byte) 0xC3, 0x28})),
        CLIENT_CLOSE(ws -> ws.encode(0x88, true, 2, new byte[] {0x03, (byte) 0xE8}));

        final Function<RawWebSocket, byte[]> bytes;

        Ending(Function<RawWebSocket, byte[]> bytes) {
            this.bytes = bytes;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        // A short close timeout: the gateway aborts a connection whose client does not answer its close frame.
        h = GatewayHarness.start(ConnectionCleanupTest::limits);
    }

    /** The user cap and the short close timeout these tests need. */
    static void limits(io.switchboard.service.config.ConfigBuilder<GatewayConfig> c) {
        c.set(LimitKeys.MAX_CONNECTIONS_PER_USER, CAP).set(GatewayKeys.CLOSE_TIMEOUT, Duration.ofMillis(500));
    }

    @ParameterizedTest
    @EnumSource(Ending.class)
    void anEndedConnectionGivesItsUsersPlaceBack(Ending ending) throws Exception {
        endAgainAndAgain(h, h.wsUri(), ending);
    }

    /**
     * One user connects to {@code ws} again and again (more often than {@link #CAP}), each connection ended by
     * {@code ending}; every connection must be accepted, and none counted once all are gone. The gateway of
     * {@code h} must have been started with {@link #limits}.
     */
    static void endAgainAndAgain(GatewayHarness h, java.net.URI endpoint, Ending ending) throws Exception {
        String user = "ending-" + ending.name().toLowerCase(java.util.Locale.ROOT) + "-" + endpoint.getPort();
        for (int round = 0; round < ROUNDS; round++) {
            try (RawWebSocket ws = RawWebSocket.connect(endpoint, Subprotocol.PROTO.token())) {
                ws.readTimeout(WAIT);
                ws.sendFrame(RawWebSocket.BINARY, ClientFrame.newBuilder()
                        .setConnect(Connect.newBuilder().setToken(h.token(user))).build().toByteArray());
                RawWebSocket.Frame reply = ws.readFrame();
                assertThat(reply.opcode()).as("round %d: the reply to connect (a close: %s)", round,
                        closeText(reply)).isEqualTo(RawWebSocket.BINARY);
                assertThat(ServerFrame.parseFrom(reply.payload()).hasConnected()).isTrue();
                ws.sendRaw(ending.bytes.apply(ws));
                drain(ws);
            }
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(h.metric("gateway_connections"))
                .as("connections left once every client has gone").isZero());
    }

    /**
     * Reads whatever the gateway still sends until it ends the connection (after its close timeout when the client
     * does not answer its close frame).
     */
    private static void drain(RawWebSocket ws) throws IOException {
        ByteArrayOutputStream ignored = new ByteArrayOutputStream();
        try {
            ignored.writeBytes(ws.readToEnd(1 << 20));
        } catch (EOFException e) {
            // ended
        }
    }

    private static String closeText(RawWebSocket.Frame frame) {
        return frame.opcode() == RawWebSocket.CLOSE
                ? frame.closeCode() + " " + new String(frame.payload(), StandardCharsets.UTF_8) : "none";
    }
}
