package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.devcerts.DevCertificates;
import io.switchboard.devcerts.PemFiles;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.testkit.TestTokens;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK over {@code wss://} to a real platform whose gateway serves a certificate of a private (development) CA:
 * with {@link TrustedCertificates#fromPem} the clients chat and resume after a dropped connection; with the JDK's
 * default trust store the handshake is refused and the state listener hears why (close 1006 with the JDK's reason).
 */
class WssEndToEndTest {
    private static final String SECRET = "sdk-java-wss-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path certificates;

    @AutoClose
    private static LocalCluster cluster;
    private static PemFiles gateway;

    @BeforeAll
    static void start() {
        gateway = DevCertificates.generate(certificates, List.of("gateway")).get("gateway");
        cluster = LocalCluster.builder().history(true)
                .set("gateway.auth.hs256-secret", SECRET)
                .set("gateway.tls.certificate", gateway.certificateChain().toString())
                .set("gateway.tls.private-key", gateway.privateKey().toString())
                .build().start();
    }

    private static SwitchboardClient.Builder client(String user) {
        return SwitchboardClient.builder()
                .url(cluster.webSocketUri(0))
                .tokenProvider(() -> CompletableFuture.completedFuture(TOKENS.token(user, "sdk:*")))
                .backoffInitial(Duration.ofMillis(200))
                .backoffMax(Duration.ofSeconds(2));
    }

    @Test
    void clientsTrustingTheCaChatOverWssAndResumeAfterADroppedConnection() throws Exception {
        assertThat(cluster.webSocketUri(0).getScheme()).isEqualTo("wss");
        String room = "sdk:wss";
        List<String> bobSees = new CopyOnWriteArrayList<>();
        // One client builds its own HttpClient from the SSLContext, the other shares an HttpClient built with it.
        try (HttpClient shared = HttpClient.newBuilder().sslContext(TrustedCertificates.fromPem(gateway.caBundle()))
                .build()) {
            chatAndResume(room, bobSees, shared, new CuttableConnector(shared));
        }
    }

    private void chatAndResume(String room, List<String> bobSees, HttpClient shared, CuttableConnector bobsConnections)
            throws Exception {
        try (SwitchboardClient alice = client("alice").sslContext(TrustedCertificates.fromPem(gateway.caBundle()))
                     .build();
             SwitchboardClient bob = client("bob").httpClient(shared).transportConnector(bobsConnections).build()) {
            alice.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            bob.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            bob.subscribe(room, (Message m) -> bobSees.add(m.getPayload().toString(StandardCharsets.UTF_8)))
                    .ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                sent.add("before-" + i);
                alice.publish(room, sent.getLast().getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> bobSees.size() == 3);

            bobsConnections.cut();
            for (int i = 0; i < 3; i++) {
                sent.add("while-away-" + i);
                alice.publish(room, sent.getLast().getBytes(StandardCharsets.UTF_8)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            await().atMost(WAIT).until(() -> bobSees.size() >= sent.size());
            assertThat(bobSees).containsExactlyElementsOf(sent);
            assertThat(bob.state()).isEqualTo(ConnectionState.CONNECTED);
        }
    }

    @Test
    void withoutTheCaTheHandshakeIsRefusedAndReported() {
        List<StateChange> changes = new CopyOnWriteArrayList<>();
        try (SwitchboardClient stranger = client("stranger").build()) {
            stranger.addStateListener(changes::add);
            CompletableFuture<Void> connected = stranger.connect();
            // A failed attempt is a lost connection (1006) whose reason names the TLS failure; the client retries.
            await().atMost(WAIT).until(() -> changes.stream().anyMatch(c -> c.current() == ConnectionState.RECONNECTING));
            StateChange failed = changes.stream().filter(c -> c.current() == ConnectionState.RECONNECTING)
                    .findFirst().orElseThrow();
            assertThat(failed.closeCode()).isEqualTo(1006);
            assertThat(failed.reason()).contains("unable to find valid certification path");
            assertThat(connected).isNotDone();
            assertThat(stranger.state()).isNotEqualTo(ConnectionState.CONNECTED);
        }
    }
}
