package io.switchboard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import io.switchboard.gateway.ws.deflate.CompressionKeys;
import io.switchboard.testkit.RawWebSocket;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate on real sockets (docs/protocol.md, "Compression"), with a client that compresses and inflates
 * with the JDK's zlib on its own: the extension is answered on the upgrade; client messages arrive compressed
 * (whole or fragmented) and uncompressed; the gateway's messages at or above the threshold arrive compressed (RSV1),
 * smaller ones uncompressed, and a client without the extension gets the same message plain; a compressed message
 * that inflates beyond the frame limit is refused with 1009, RSV1 on a control frame with 1002.
 */
class CompressionTest {
    private static final String JSON = "switchboard.v1.json";
    private static final String OFFER = "permessage-deflate; client_max_window_bits";
    private static final int THRESHOLD = 512;
    private static final AtomicInteger ROOMS = new AtomicInteger();
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(CompressionKeys.ENABLED, true)
                .set(CompressionKeys.THRESHOLD_BYTES, THRESHOLD));
    }

    @Test
    void theExtensionIsAnsweredWithClientNoContextTakeoverAndOnlyWhenOffered() throws Exception {
        double compressedBefore = h.metric("gateway_compressed_connections_total");
        try (RawWebSocket offering = RawWebSocket.connect(h.wsUri(), JSON,
                Map.of("Sec-WebSocket-Extensions", OFFER));
             RawWebSocket plain = RawWebSocket.connect(h.wsUri(), JSON)) {
            assertThat(offering.handshakeHeader("Sec-WebSocket-Extensions"))
                    .contains("permessage-deflate; client_no_context_takeover");
            assertThat(offering.handshakeHeader("Sec-WebSocket-Protocol")).contains(JSON);
            assertThat(plain.handshakeHeader("Sec-WebSocket-Extensions")).isEmpty();
            // Counted when the connection opens, after the 101: the offering client's connect is answered then.
            offering.sendFrame(RawWebSocket.TEXT, connect("carol").getBytes(StandardCharsets.UTF_8));
            assertThat(readJson(offering)).contains("\"connected\"");
            assertThat(h.metric("gateway_compressed_connections_total")).isEqualTo(compressedBefore + 1);
        }
    }

    @Test
    void messagesRoundTripCompressedAndUncompressedAboveAndBelowTheThreshold() throws Exception {
        String room = "deflate-" + ROOMS.incrementAndGet();
        String big = "cpu=0.42 mem=0.77 disk=0.12; ".repeat(100); // 3,000 bytes that compress well
        try (RawWebSocket alice = RawWebSocket.connect(h.wsUri(), JSON, Map.of("Sec-WebSocket-Extensions", OFFER));
             RawWebSocket bob = RawWebSocket.connect(h.wsUri(), JSON)) {
            // A compressed connect frame, split over two frames (RSV1 on the first only).
            byte[] connect = compress(connect("alice"));
            int cut = connect.length / 2;
            alice.sendRaw(alice.encode(0x40 | RawWebSocket.TEXT, true, cut, Arrays.copyOf(connect, cut)));
            alice.sendRaw(alice.encode(0x80, true, connect.length - cut,
                    Arrays.copyOfRange(connect, cut, connect.length)));
            assertThat(readJson(alice)).contains("\"connected\"");
            bob.sendFrame(RawWebSocket.TEXT, connect("bob").getBytes(StandardCharsets.UTF_8));
            assertThat(text(bob.readFrame())).contains("\"connected\"");

            // Uncompressed from a client that negotiated the extension: allowed, and answered.
            alice.sendFrame(RawWebSocket.TEXT, subscribe(room).getBytes(StandardCharsets.UTF_8));
            assertThat(readJson(alice)).contains("\"subscribed\"");
            bob.sendFrame(RawWebSocket.TEXT, subscribe(room).getBytes(StandardCharsets.UTF_8));
            assertThat(text(bob.readFrame())).contains("\"subscribed\"");

            // A large message, published compressed: delivered compressed to alice, plain to bob.
            sendCompressed(alice, publish(room, "big-1", big));
            RawWebSocket.Frame toAlice = messageFrame(alice, "big-1");
            assertThat(toAlice.rsv1()).isTrue();
            assertThat(toAlice.payload().length).isLessThan(THRESHOLD);
            assertThat(payloadOf(inflate(toAlice.payload()))).isEqualTo(big);
            RawWebSocket.Frame toBob = messageFrame(bob, "big-1");
            assertThat(toBob.rsv1()).isFalse();
            assertThat(payloadOf(text(toBob))).isEqualTo(big);

            // A small message, published compressed: below the threshold, it is delivered uncompressed.
            sendCompressed(alice, publish(room, "small-1", "hi"));
            RawWebSocket.Frame small = messageFrame(alice, "small-1");
            assertThat(small.rsv1()).isFalse();
            assertThat(small.payload().length).isLessThan(THRESHOLD);
            assertThat(payloadOf(text(small))).isEqualTo("hi");
        }
    }

    @Test
    void aCompressedMessageThatInflatesBeyondTheFrameLimitIsRefusedWith1009() throws Exception {
        try (RawWebSocket client = RawWebSocket.connect(h.wsUri(), JSON, Map.of("Sec-WebSocket-Extensions", OFFER))) {
            sendCompressed(client, connect("mallory"));
            assertThat(readJson(client)).contains("\"connected\"");
            // 16 MiB of spaces inside a JSON string: about 16 KiB on the wire, far within the frame limit.
            byte[] bomb = new byte[16 << 20];
            Arrays.fill(bomb, (byte) ' ');
            byte[] compressed = compress(bomb);
            assertThat(compressed.length).isLessThan(h.gateway.config().get(GatewayKeys.MAX_FRAME_BYTES));
            client.sendRaw(client.encode(0xC0 | RawWebSocket.TEXT, true, compressed.length, compressed));

            assertThat(client.awaitCloseCode(GatewayHarness.WAIT)).isEqualTo(1009);
        }
    }

    @Test
    void rsv1OnAControlFrameIsAProtocolError() throws Exception {
        try (RawWebSocket client = RawWebSocket.connect(h.wsUri(), JSON, Map.of("Sec-WebSocket-Extensions", OFFER))) {
            sendCompressed(client, connect("mallory"));
            assertThat(readJson(client)).contains("\"connected\"");
            client.sendRaw(client.encode(0xC0 | RawWebSocket.PING, true, 0, new byte[0]));

            assertThat(client.awaitCloseCode(GatewayHarness.WAIT)).isEqualTo(1002);
        }
    }

    private static String connect(String user) {
        return "{\"connect\":{\"token\":\"" + h.token(user) + "\",\"client\":\"compression-test\"}}";
    }

    private static String subscribe(String room) {
        return "{\"subscribe\":{\"requestId\":1,\"room\":\"" + room + "\"}}";
    }

    private static String publish(String room, String id, String payload) {
        return "{\"publish\":{\"requestId\":2,\"room\":\"" + room + "\",\"id\":\"" + id + "\",\"payload\":\""
                + Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "\"}}";
    }

    /** The next {@code message} frame with this id, skipping other frames. */
    private static RawWebSocket.Frame messageFrame(RawWebSocket ws, String id) throws IOException {
        while (true) {
            RawWebSocket.Frame frame = ws.readFrame();
            String json = frame.rsv1() ? inflate(frame.payload()) : text(frame);
            if (json.startsWith("{\"message\"") && json.contains("\"id\":\"" + id + "\"")) {
                return frame;
            }
        }
    }

    private static String payloadOf(String messageJson) {
        int at = messageJson.indexOf("\"payload\":\"") + "\"payload\":\"".length();
        String base64 = messageJson.substring(at, messageJson.indexOf('"', at));
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static String readJson(RawWebSocket ws) throws IOException {
        RawWebSocket.Frame frame = ws.readFrame();
        return frame.rsv1() ? inflate(frame.payload()) : text(frame);
    }

    private static String text(RawWebSocket.Frame frame) {
        return new String(frame.payload(), StandardCharsets.UTF_8);
    }

    private static void sendCompressed(RawWebSocket ws, String json) throws IOException {
        byte[] compressed = compress(json);
        ws.sendRaw(ws.encode(0xC0 | RawWebSocket.TEXT, true, compressed.length, compressed));
    }

    private static byte[] compress(String text) {
        return compress(text.getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 7692 section 7.2.1, as a client does it: raw DEFLATE, sync flush, without the final 00 00 FF FF. */
    private static byte[] compress(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            do {
                n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
                out.write(chunk, 0, n);
            } while (n == chunk.length);
            byte[] all = out.toByteArray();
            return Arrays.copyOf(all, all.length - 4);
        } finally {
            deflater.end();
        }
    }

    private static String inflate(byte[] compressed) {
        Inflater inflater = new Inflater(true);
        try {
            byte[] withTail = Arrays.copyOf(compressed, compressed.length + 4);
            withTail[compressed.length + 2] = (byte) 0xFF;
            withTail[compressed.length + 3] = (byte) 0xFF;
            inflater.setInput(withTail);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            while ((n = inflater.inflate(chunk)) > 0) {
                out.write(chunk, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalStateException("the server's compressed message is not valid DEFLATE", e);
        } finally {
            inflater.end();
        }
    }
}
