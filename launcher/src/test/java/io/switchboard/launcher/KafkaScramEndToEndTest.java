package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.kafka.embedded.ScramListener;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The tiers on Kafka with SASL/SCRAM over TLS: the embedded broker's SASL_SSL listener with SCRAM-SHA-512, and every
 * tier's Kafka clients with the keys docs/tls.md documents ({@code security.protocol: SASL_SSL},
 * {@code sasl.mechanism: SCRAM-SHA-512}, {@code sasl.jaas.config}, the CA as a PEM truststore file). Messages flow
 * end to end through it; a tier with a wrong password does not start, and says why.
 */
class KafkaScramEndToEndTest {
    private static final String SECRET = "scram-e2e-secret-0123456789abcdef-01";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final String ROOM = "scram:room";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void messagesFlowWhenEveryTierAuthenticatesWithScram() {
        try (LocalCluster cluster = LocalCluster.builder().tls(true).kafkaScram(true).gateways(2).presence(true)
                .set("gateway.auth.hs256-secret", SECRET).build().start()) {
            assertThat(cluster.bootstrapServers()).isEqualTo(cluster.kafka().saslBootstrapServers());
            try (WsTestClient alice = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.PROTO,
                    TOKENS.token("alice", ROOM));
                 WsTestClient bob = WsTestClient.connected(cluster.webSocketUri(1), Subprotocol.JSON,
                         TOKENS.token("bob", ROOM))) {
                bob.subscribeAndWait(ROOM, WAIT);
                CrossGatewayMessages.publishAndReceiveInOrder(alice, bob, ROOM, "scram-", 10, WAIT);
            }
        }
    }

    @Test
    void aTierWithAWrongPasswordIsRefusedWithAClearError() {
        LocalCluster cluster = LocalCluster.builder().tls(true).kafkaScram(true).presence(false)
                .set("gateway.auth.hs256-secret", SECRET)
                .set("router.startup-timeout", "PT20S")
                .set("kafka.producer.sasl.jaas.config", ScramListener.jaasConfig(ClusterTls.SCRAM_USER, "wrong"))
                .build();
        assertThatThrownBy(cluster::start)
                .hasStackTraceContaining("SaslAuthenticationException")
                .hasStackTraceContaining("invalid credentials with SASL mechanism SCRAM-SHA-512");
    }
}
