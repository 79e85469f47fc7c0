package io.switchboard.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.switchboard.devcerts.CertificateAuthority;
import io.switchboard.devcerts.IssuedCertificate;
import io.switchboard.devcerts.LeafSpec;
import io.switchboard.gateway.tls.TlsKeys;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTls;
import io.switchboard.testkit.WsTestClient;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} on a real gateway, as a client sees it through a certificate rotation: clients of both subprotocols
 * that trust the first CA chat; the files are replaced by a certificate of a new CA (new serial); a new connection
 * gets the new certificate (and a client that trusts only the old CA is refused) while the connections opened before
 * keep chatting with the new one; then a broken replacement (a key that belongs to another certificate) keeps the
 * served certificate, is counted in {@code gateway_tls_reloads_total{result="failed"}} on the HTTPS metrics page, and
 * every connection keeps chatting.
 */
class GatewayTlsTest {
    private static final Duration WAIT = GatewayHarness.WAIT;

    @TempDir
    Path dir;

    @Test
    void openConnectionsKeepChattingAcrossACertificateRotationAndABrokenReplacement() throws Exception {
        CertificateAuthority oldCa = CertificateAuthority.create("old CA", Duration.ofDays(1));
        CertificateAuthority newCa = CertificateAuthority.create("new CA", Duration.ofDays(1));
        IssuedCertificate first = oldCa.issue(LeafSpec.loopback("gateway"), Duration.ofDays(1));
        IssuedCertificate second = newCa.issue(LeafSpec.loopback("gateway"), Duration.ofDays(1));
        IssuedCertificate unrelated = newCa.issue(LeafSpec.loopback("gateway"), Duration.ofDays(1));
        Path certificate = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        install(first.chainPem(), first.privateKeyPem());
        List<X509Certificate> both = List.of(oldCa.certificate(), newCa.certificate());

        try (GatewayHarness h = GatewayHarness.start(c -> c.set(TlsKeys.CERTIFICATE, certificate)
                .set(TlsKeys.PRIVATE_KEY, key).set(TlsKeys.RELOAD_INTERVAL, Duration.ofMillis(100)));
             HttpClient trustsOld = TestTls.httpClient(List.of(oldCa.certificate()));
             HttpClient trustsNew = TestTls.httpClient(List.of(newCa.certificate()))) {
            int port = h.gateway.port();
            assertThat(h.wsUri().getScheme()).isEqualTo("wss");
            assertThat(serial(port, both)).isEqualTo(first.certificate().getSerialNumber());
            String room = "tls-room";
            try (WsTestClient alice = WsTestClient.connected(trustsOld, h.wsUri(), Subprotocol.PROTO, h.token("alice"));
                 WsTestClient bob = WsTestClient.connected(trustsOld, h.wsUri(), Subprotocol.JSON, h.token("bob"))) {
                alice.subscribeAndWait(room, WAIT);
                bob.subscribeAndWait(room, WAIT);
                chat(alice, "before rotation", List.of(alice, bob));

                install(second.chainPem(), second.privateKeyPem());
                await().atMost(WAIT).until(() -> serial(port, both).equals(second.certificate().getSerialNumber()));
                assertThat(metric(trustsNew, h, "gateway_tls_reloads_total{result=\"ok\"}")).isEqualTo(1);
                assertThatThrownBy(() -> WsTestClient.connected(TestTls.httpClient(List.of(oldCa.certificate())),
                        h.wsUri(), Subprotocol.PROTO, h.token("mallory")))
                        .satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(SSLHandshakeException.class));

                try (WsTestClient carol = WsTestClient.connected(trustsNew, h.wsUri(), Subprotocol.JSON,
                        h.token("carol"))) {
                    carol.subscribeAndWait(room, WAIT);
                    chat(alice, "after rotation, from a connection of the old certificate", List.of(alice, bob, carol));
                    chat(carol, "after rotation, from a connection of the new certificate", List.of(alice, bob, carol));

                    install(unrelated.chainPem(), second.privateKeyPem());
                    await().atMost(WAIT).until(() ->
                            metric(trustsNew, h, "gateway_tls_reloads_total{result=\"failed\"}") == 1);
                    assertThat(serial(port, both)).isEqualTo(second.certificate().getSerialNumber());
                    assertThat(metric(trustsNew, h, "gateway_tls_certificate_expiry_timestamp_seconds"))
                            .isEqualTo(second.certificate().getNotAfter().toInstant().getEpochSecond());
                    chat(bob, "after a broken replacement", List.of(alice, bob, carol));
                    try (WsTestClient dave = WsTestClient.connected(trustsNew, h.wsUri(), Subprotocol.PROTO,
                            h.token("dave"))) {
                        dave.subscribeAndWait(room, WAIT);
                        chat(dave, "a new connection after a broken replacement", List.of(alice, bob, carol, dave));
                    }
                }
                assertThat(alice.isOpen()).isTrue();
                assertThat(bob.isOpen()).isTrue();
            }
        }
    }

    private static int sequence;

    /**
     * {@code sender} publishes {@code text} with an ack; it gets the ack, and every one of {@code members} (the
     * sender among them) receives the message. The sender's message and ack may come in either order.
     */
    private static void chat(WsTestClient sender, String text, List<WsTestClient> members) {
        String id = "m-" + ++sequence;
        sender.publish("tls-room", id, text);
        boolean acked = false;
        for (WsTestClient member : members) {
            ServerFrame message;
            do {
                message = member.nextMatching(f -> (f.hasMessage() && f.getMessage().getId().equals(id))
                        || (member == sender && f.hasAck() && f.getAck().getId().equals(id)), WAIT);
                acked |= message.hasAck();
            } while (message.hasAck());
            assertThat(message.getMessage().getPayload().toStringUtf8()).isEqualTo(text);
        }
        if (!acked) {
            sender.nextMatching(f -> f.hasAck() && f.getAck().getId().equals(id), WAIT);
        }
    }

    private static List<Throwable> causes(Throwable error) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = error; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    private static BigInteger serial(int port, List<X509Certificate> trusted) {
        return TestTls.servedCertificate(port, trusted).getSerialNumber();
    }

    /** One sample of the gateway's metrics page, read over HTTPS. */
    private static double metric(HttpClient https, GatewayHarness h, String sample) {
        try {
            String page = https.send(HttpRequest.newBuilder(h.httpUri("/metrics")).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : page.split("\n")) {
                if (line.startsWith(sample + " ")) {
                    return Double.parseDouble(line.substring(sample.length() + 1).trim());
                }
            }
            return 0;
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Replaces both files as an operator should: written beside, then renamed over the served ones. */
    private void install(String chain, String key) throws Exception {
        for (var file : List.of(new String[] {"tls.crt", chain}, new String[] {"tls.key", key})) {
            Path temporary = Files.writeString(dir.resolve(file[0] + ".new"), file[1], StandardCharsets.US_ASCII);
            Files.move(temporary, dir.resolve(file[0]), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
