package io.switchboard.launcher;

import static io.switchboard.testkit.tls.TlsFixture.assertRefusedAtConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.HistoryDirection;
import io.switchboard.proto.client.v1.HistoryPage;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cluster with TLS everywhere (mutual TLS between gateway, routers, presence and history; every Kafka client on the
 * broker's SSL listener with a client certificate): what a user sees does not change. Messages published through
 * one gateway reach a subscriber on the other in the order sent, and history pages them back.
 */
class TlsEndToEndTest {
    private static final String SECRET = "tls-e2e-secret-0123456789abcdef-0123";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final String ROOM = "tls:room";
    private static final Duration WAIT = Duration.ofSeconds(30);
    @AutoClose
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.builder().tls(true).routers(2).gateways(2).history(true).presence(true)
                .set("gateway.auth.hs256-secret", SECRET)
                .build()
                .start();
    }

    @Test
    void publishesReachTheOtherGatewayInOrderAndHistoryPagesThemBack() {
        try (WsTestClient alice = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.PROTO,
                TOKENS.token("alice", ROOM));
             WsTestClient bob = WsTestClient.connected(cluster.webSocketUri(1), Subprotocol.JSON,
                     TOKENS.token("bob", ROOM))) {
            bob.subscribeAndWait(ROOM, WAIT);
            List<String> sent = CrossGatewayMessages.publishAndReceiveInOrder(alice, bob, ROOM, "tls-", 20, WAIT);

            await().atMost(WAIT).until(() -> history(bob, 100).getMessagesCount() == sent.size());
            assertThat(history(bob, 100).getMessagesList().stream().map(Message::getId).toList())
                    .containsExactlyElementsOf(sent);
        }
    }

    @Test
    void theTiersSpeakTlsOnly() throws Exception {
        assertThat(cluster.tlsDirectory()).hasValueSatisfying(dir -> assertThat(Files.exists(dir.resolve("ca.crt")))
                .isTrue());
        assertThat(cluster.bootstrapServers()).isEqualTo(cluster.kafka().sslBootstrapServers());
        ManagedChannel plaintext = Grpc.newChannelBuilderForAddress("127.0.0.1", cluster.router(0).port(),
                InsecureChannelCredentials.create()).build();
        try {
            assertRefusedAtConnection(() -> HealthGrpc.newBlockingStub(plaintext).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()));
        } finally {
            plaintext.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static HistoryPage history(WsTestClient client, int limit) {
        int id = client.nextRequestId();
        client.send(ClientFrame.newBuilder().setHistory(HistoryRequest.newBuilder().setRequestId(id).setRoom(ROOM)
                .setDirection(HistoryDirection.LATEST).setLimit(limit)).build());
        ServerFrame reply = client.nextMatching(f -> (f.hasHistoryPage() && f.getHistoryPage().getRequestId() == id)
                || (f.hasError() && f.getError().getRequestId() == id), WAIT);
        assertThat(reply.hasHistoryPage()).as("history: %s", reply).isTrue();
        return reply.getHistoryPage();
    }
}
