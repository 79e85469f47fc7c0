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
 * gateway aborts the transport, and the connection is cleaned up (count, queue bytes) like any other.
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
            stuck.sendFrame(RawWebSocket.BINARY, ClientFrame.newBuilder().setConnect(Connect.newBuilder()
                    .setToken(h.token("stuck"))).build().toByteArray());
            stuck.sendFrame(RawWebSocket.BINARY, ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder()
                    .setRequestId(1).setRoom("flood")).build().toByteArray());
            await().atMost(WAIT).until(() -> h.gateway.connectionCount() == 2);
            byte[] value = Envelope.newBuilder().setId("f").setRoom("flood")
                    .setPayload(ByteString.copyFrom(new byte[60_000])).build().toByteArray();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(10)).until(() -> {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(GatewayHarness.TOPIC, "flood", value));
                }
                producer.flush();
                return h.metric("gateway_slow_consumer_disconnects_total") >= 1;
            });
            // Nobody reads the stuck socket, so the close frame cannot be written: the gateway must abort it.
            await().atMost(WAIT).until(() -> h.gateway.connectionCount() == 1);
            await().atMost(WAIT).until(() -> h.metric("gateway_outbound_queue_bytes") == 0);

            witness.publish("witness", "w-1", "still here");
            ServerFrame m = witness.nextMatching(f -> f.hasMessage() && f.getMessage().getId().equals("w-1"), WAIT);
            assertThat(m.getMessage().getPayload().toStringUtf8()).isEqualTo("still here");
        }
    }
}
