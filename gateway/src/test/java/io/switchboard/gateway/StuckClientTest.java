package io.switchboard.gateway;

import java.time.Duration;
import java.util.Map;

import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.testkit.RawWebSocket;
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

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that never reads cannot even receive its SLOW_CONSUMER close frame: after the close timeout the
 * gateway aborts the transport, and the connection is cleaned up (count, queue bytes) like any other; the same for an
 * HTTP fallback stream, whose id is then unknown.
 */
class StuckClientTest {
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(GatewayKeys.MAX_OUTBOUND_QUEUE_BYTES, 131_072L)
                .set(GatewayKeys.CLOSE_TIMEOUT, Duration.ofMillis(500)));
    }

    @Test
    void aClientThatNeverReadsIsAbortedAndCleanedUp() throws Exception {
        try (WsTestClient witness = h.connect(Subprotocol.PROTO, "witness");
             RawWebSocket stuck = RawWebSocket.connect(h.wsUri(), Subprotocol.PROTO.token());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, h.kafka.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            witness.subscribeAndWait("witness", WAIT);
            subscribeAndNeverRead(h, stuck, "flood");
            await().atMost(WAIT).until(() -> h.gateway.connectionCount() == 2);
            byte[] value = floodRecord("flood");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10)).until(() -> {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(GatewayHarness.TOPIC, "flood", value));
                }
                producer.flush();
                return h.metric("gateway_slow_consumer_disconnects_total") >= 1;
            });
            // Nobody reads the stuck socket, so the close frame cannot be written: the gateway must abort it.
            assertAbortedAndWitnessServed(h, witness);
        }
    }

    /** Connects {@code stuck} (a raw binary client) and subscribes it to {@code room}; nobody reads it after that. */
    static void subscribeAndNeverRead(GatewayHarness h, RawWebSocket stuck, String room) throws Exception {
        stuck.sendFrame(RawWebSocket.BINARY, ClientFrame.newBuilder().setConnect(Connect.newBuilder()
                .setToken(h.token("stuck"))).build().toByteArray());
        stuck.sendFrame(RawWebSocket.BINARY, ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder()
                .setRequestId(1).setRoom(room)).build().toByteArray());
    }

    /** A 60 KB room record for {@code room}, as the router would write it. */
    static byte[] floodRecord(String room) {
        return Envelope.newBuilder().setId("f").setRoom(room)
                .setPayload(ByteString.copyFrom(new byte[60_000])).build().toByteArray();
    }

    /** The stuck connection is gone with its queued bytes, and {@code witness} still gets its own messages. */
    static void assertAbortedAndWitnessServed(GatewayHarness h, WsTestClient witness) {
        await().atMost(WAIT).until(() -> h.gateway.connectionCount() == 1);
        await().atMost(WAIT).until(() -> h.metric("gateway_outbound_queue_bytes") == 0);

        witness.publish("witness", "w-1", "still here");
        ServerFrame m = witness.nextMatching(f -> f.hasMessage() && f.getMessage().getId().equals("w-1"), WAIT);
        assertThat(m.getMessage().getPayload().toStringUtf8()).isEqualTo("still here");
    }

    @Test
    void anEventStreamThatIsNeverReadIsAbortedAndItsStreamForgotten() throws Exception {
        try (java.net.Socket stuck = new java.net.Socket("127.0.0.1", h.gateway.port());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, h.kafka.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            stuck.setSoTimeout((int) WAIT.toMillis());
            stuck.getOutputStream().write(("GET /sse HTTP/1.1\r\nHost: 127.0.0.1:" + h.gateway.port() + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String stream = streamIdOf(stuck.getInputStream());
            String post = h.httpUri("/sse/" + stream).toString();
            String frames = "{\"connect\":{\"token\":\"" + h.token("stuck-sse") + "\"}}\n"
                    + "{\"subscribe\":{\"requestId\":1,\"room\":\"flood-sse\"}}";
            assertThat(h.postTo(post, frames, "Bearer " + h.token("stuck-sse")).statusCode()).isEqualTo(204);
            await().atMost(WAIT).until(() -> h.metric("gateway_connections_by_transport{transport=\"sse\"}") == 1);
            double slowBefore = h.metric("gateway_slow_consumer_disconnects_total");
            byte[] value = floodRecord("flood-sse");
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10)).until(() -> {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(GatewayHarness.TOPIC, "flood-sse", value));
                }
                producer.flush();
                return h.metric("gateway_slow_consumer_disconnects_total") > slowBefore;
            });
            // The close event cannot be written to a client that does not read: the stream is dropped and forgotten.
            await().atMost(WAIT).until(() -> h.metric("gateway_connections_by_transport{transport=\"sse\"}") == 0);
            await().atMost(WAIT).until(() -> h.metric("gateway_outbound_queue_bytes") == 0);
            assertThat(h.postTo(post, "{\"ping\":{}}", "Bearer " + h.token("stuck-sse")).statusCode()).isEqualTo(404);
        }
    }

    /** Reads the response head and the open event (and no further) and returns the stream id. */
    private static String streamIdOf(java.io.InputStream in) throws java.io.IOException {
        java.util.regex.Pattern id = java.util.regex.Pattern.compile("\"stream\":\"([A-Za-z0-9_-]{22})\"");
        StringBuilder read = new StringBuilder();
        for (int i = 0; i < 4096; i++) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            read.append((char) b);
            java.util.regex.Matcher m = id.matcher(read);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError("no open event in " + read);
    }
}
