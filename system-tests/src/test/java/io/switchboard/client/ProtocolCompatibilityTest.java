package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.gateway.ws.ProtocolOffer;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.testkit.MetricsScrape;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/protocol.md section 12 against a real platform whose gateway also offers a newer protocol version: today's
 * SDK still negotiates v1 and behaves as before, a client preferring the newer version gets it, and a client offering
 * only versions the gateway does not speak is refused with HTTP 400 before any session exists.
 */
class ProtocolCompatibilityTest {
    private static final String SECRET = "sdk-java-compat-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final Duration WAIT = Duration.ofSeconds(30);
    // A stand-in for a later version served side by side with v1 (its frames happen to be v1's: only negotiation is
    // under test here).
    private static final List<ProtocolOffer> V2 = List.of(
            new ProtocolOffer("switchboard.v2.proto", 2, io.switchboard.gateway.ws.Subprotocol.PROTO, false),
            new ProtocolOffer("switchboard.v2.json", 2, io.switchboard.gateway.ws.Subprotocol.JSON, false));

    @AutoClose
    private static LocalCluster cluster;
    @AutoClose
    private static SharedClientResources shared;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.builder().set("gateway.auth.hs256-secret", SECRET).additionalProtocols(V2).build()
                .start();
        shared = SharedClientResources.create();
        http = shared.http();
    }

    private static double negotiated(String token) {
        return MetricsScrape.sample(http, cluster.httpUri(0).resolve("/metrics"),
                "gateway_subprotocols_negotiated_total{subprotocol=\"" + token + "\"}");
    }

    private static SwitchboardClient.Builder client(String user) {
        return SwitchboardClient.builder()
                .url(cluster.webSocketUri(0))
                .tokenProvider(() -> CompletableFuture.completedFuture(TOKENS.token(user, "compat:*")))
                .httpClient(http);
    }

    @Test
    void theGatewayReallyOffersTheNewerVersionToAClientThatPrefersIt() {
        URI ws = cluster.webSocketUri(0);
        try (WsTestClient v2 = WsTestClient.connectRaw(ws, "switchboard.v2.proto", "switchboard.v1.proto")) {
            assertThat(v2.handshakeStatus()).isEqualTo(101);
            assertThat(v2.negotiatedToken()).isEqualTo("switchboard.v2.proto");
        }
    }

    @Test
    void aClientOfferingOnlyUnknownVersionsIsRefusedWithHttp400() {
        URI ws = cluster.webSocketUri(0);
        assertThat(WsTestClient.connectRaw(ws, "switchboard.v3.proto").handshakeStatus()).isEqualTo(400);
        assertThat(WsTestClient.connectRaw(ws, "switchboard.v3.json", "switchboard.v9.json").handshakeStatus())
                .isEqualTo(400);
        assertThat(WsTestClient.connectRaw(ws).handshakeStatus()).isEqualTo(400);
    }

    @Test
    void todaysSdkNegotiatesV1AndBehavesAsBefore() throws Exception {
        String room = "compat:chat";
        double batchedBefore = negotiated("switchboard.v1.proto+batch");
        double plainBefore = negotiated("switchboard.v1.proto");
        double v2Before = negotiated("switchboard.v2.proto") + negotiated("switchboard.v2.json");
        List<String> bobSees = new CopyOnWriteArrayList<>();
        List<String> carolSees = new CopyOnWriteArrayList<>();
        try (SwitchboardClient alice = client("alice").build();
             SwitchboardClient bob = client("bob").build();
             SwitchboardClient carol = client("carol").batching(false).build()) {
            alice.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            bob.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            carol.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            bob.subscribe(room, m -> bobSees.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            carol.subscribe(room, m -> carolSees.add(text(m))).ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<String> sent = List.of("one", "two", "three");
            for (String body : sent) {
                alice.publish(room, body.getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> bobSees.size() >= sent.size() && carolSees.size() >= sent.size());
            assertThat(bobSees).containsExactlyElementsOf(sent);
            assertThat(carolSees).containsExactlyElementsOf(sent);
        }
        assertThat(negotiated("switchboard.v1.proto+batch") - batchedBefore).as("alice and bob").isEqualTo(2);
        assertThat(negotiated("switchboard.v1.proto") - plainBefore).as("carol, without batching").isEqualTo(1);
        assertThat(negotiated("switchboard.v2.proto") + negotiated("switchboard.v2.json") - v2Before).isZero();
    }

    private static String text(Message m) {
        return m.getPayload().toString(StandardCharsets.UTF_8);
    }
}
