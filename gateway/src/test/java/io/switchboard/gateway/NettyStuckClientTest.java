package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import io.switchboard.gateway.ws.netty.NettyKeys;
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

/**
 * On the Netty listener a connection's writer runs on the channel's event loop and never waits there: while the
 * channel is over its write high-water mark it stops and leaves the frames in the session's queue. So a client that
 * never reads still fills that bounded queue (default size, one message at a time: a reading client would never get
 * near it) and is closed SLOW_CONSUMER, aborted after the close timeout and cleaned up, instead of growing Netty's
 * unbounded buffer.
 */
class NettyStuckClientTest {
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(GatewayKeys.CLOSE_TIMEOUT, Duration.ofMillis(500)).set(NettyKeys.PORT, 0));
    }

    @Test
    void aClientThatNeverReadsFillsItsQueueAndIsAborted() throws Exception {
        try (WsTestClient witness = h.connect(Subprotocol.PROTO, "witness");
             RawWebSocket stuck = RawWebSocket.connect(h.nettyUri(), Subprotocol.PROTO.token());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, h.kafka.bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            witness.subscribeAndWait("witness", WAIT);
            StuckClientTest.subscribeAndNeverRead(h, stuck, "flood");
            await().atMost(WAIT).until(() -> h.gateway.connectionCount() == 2);
            byte[] value = StuckClientTest.floodRecord("flood");
            // One message per poll, each sent before the next: only a client that reads nothing fills 1 MiB.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> {
                producer.send(new ProducerRecord<>(GatewayHarness.TOPIC, "flood", value)).get();
                return h.metric("gateway_slow_consumer_disconnects_total") >= 1;
            });
            StuckClientTest.assertAbortedAndWitnessServed(h, witness);
        }
    }
}
