package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.switchboard.kafka.embedded.EmbeddedKafkaExtension;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Error;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A message the gateway and the router accept but Kafka cannot store (the rooms topic takes at most 2 KB per
 * record batch, far below the 64 KB payload limit): the client is told PAYLOAD_TOO_LARGE and not to retry, because
 * a retry can never fit; a message that fits still goes through. Real broker, router and gateway.
 */
class RecordTooLargeSystemTest {
    private static final String SECRET = "record-too-large-secret-0123456789abcdef";
    private static final String TOPIC = "switchboard.rooms";

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    @AutoClose
    private static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 8, (short) 1)
                    .configs(Map.of("max.message.bytes", "2048")))).all().get(30, TimeUnit.SECONDS);
        }
        cluster = LocalCluster.builder()
                .externalKafka(KAFKA.bootstrapServers())
                .set("kafka.topic.name", TOPIC)
                .set("kafka.topic.partitions", "8")
                .set("gateway.auth.hs256-secret", SECRET)
                .build()
                .start();
    }

    private static ServerFrame publish(Peer peer, String id, int payloadBytes) {
        int requestId = peer.nextRequestId();
        peer.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(requestId).setRoom("chat:big")
                .setId(id).setPayload(ByteString.copyFrom(new byte[payloadBytes])).setAck(true)).build());
        return peer.reply(requestId);
    }

    @Test
    void aMessageKafkaCannotHoldIsPayloadTooLargeAndNotRetriable() {
        try (Peer alice = Peer.connect(cluster.webSocketUri(0), "alice",
                io.switchboard.testkit.TestTokens.hs256(SECRET).token("alice", "chat:big"))) {
            ServerFrame refused = publish(alice, "big-1", 8 * 1024);

            assertThat(refused.hasError()).as("answer to an 8 KB publish: %s", refused).isTrue();
            Error error = refused.getError();
            assertThat(error.getCode()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
            assertThat(error.getRetriable()).isFalse();
            assertThat(error.getRoom()).isEqualTo("chat:big");
            // Nothing was stored under the id: a message that fits, under a new id, is acknowledged.
            assertThat(publish(alice, "small-1", 100).hasAck()).isTrue();
        }
    }
}
