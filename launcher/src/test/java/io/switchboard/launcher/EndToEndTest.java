package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.FanOutScenario;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The foundation's promise on a real broker, two routers and two gateways in one JVM: a message published
 * on one gateway reaches every subscriber on every gateway, in order per room, exactly once, at the position
 * its ack named; a retried publish is stored once.
 */
class EndToEndTest {
    private static final String SECRET = "end-to-end-test-secret-0123456789abcdef";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    @AutoClose
    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.builder()
                .routers(2)
                .gateways(2)
                .set("gateway.auth.hs256-secret", SECRET)
                .set("kafka.topic.partitions", "4")
                .build()
                .start();
    }

    @Test
    void everyAckedMessageReachesEverySubscriberOnEveryGatewayOnceAndInOrder() {
        int acked = new FanOutScenario(List.of(cluster.webSocketUri(0), cluster.webSocketUri(1)), TOKENS)
                .messagesPerRoom(40)
                .timeout(WAIT)
                .run();
        assertThat(acked).isEqualTo(2 * 3 * 40);
    }

    @Test
    void retriedPublishWithTheSameIdIsStoredAndDeliveredOnce() {
        String room = "e2e:retry";
        try (WsTestClient subscriber = WsTestClient.connected(cluster.webSocketUri(1), Subprotocol.JSON, TOKENS.token("watcher", "e2e:*"));
             WsTestClient publisher = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.JSON, TOKENS.token("retrier", "e2e:*"))) {
            subscriber.subscribeAndWait(room, WAIT);

            publisher.publish(room, "same-id-1", "first try");
            Ack first = publisher.nextMatching(ServerFrame::hasAck, WAIT).getAck();
            publisher.publish(room, "same-id-1", "second try");
            Ack second = publisher.nextMatching(ServerFrame::hasAck, WAIT).getAck();
            publisher.publish(room, "other-id", "a different message");
            Ack third = publisher.nextMatching(ServerFrame::hasAck, WAIT).getAck();

            assertThat(first.getDuplicate()).isFalse();
            assertThat(second.getDuplicate()).isTrue();
            assertThat(second.getPosition()).isEqualTo(first.getPosition());
            assertThat(third.getPosition()).isGreaterThan(first.getPosition());

            // The subscriber sees the retried message once: the next message after it is the different one.
            Message delivered = subscriber.nextMatching(ServerFrame::hasMessage, WAIT).getMessage();
            Message next = subscriber.nextMatching(ServerFrame::hasMessage, WAIT).getMessage();
            assertThat(delivered.getId()).isEqualTo("same-id-1");
            assertThat(delivered.getPosition()).isEqualTo(first.getPosition());
            assertThat(delivered.getPayload().toStringUtf8()).isEqualTo("first try");
            assertThat(delivered.getSender()).isEqualTo("retrier");
            assertThat(next.getId()).isEqualTo("other-id");
            assertThat(next.getPosition()).isEqualTo(third.getPosition());
        }
    }
}
