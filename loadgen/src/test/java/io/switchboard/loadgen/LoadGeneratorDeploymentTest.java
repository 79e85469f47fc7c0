package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.devcerts.DevCertificates;
import io.switchboard.devcerts.PemFiles;
import io.switchboard.launcher.LocalCluster;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator against a deployment set up as in production rather than as the local default: the gateway serves
 * {@code wss://} only, with a certificate of a private CA the JVM does not trust, and verifies RS256 client tokens with
 * a public key, asking for {@code iss} and {@code aud}. Given that CA ({@code --ca-file}) and the private key,
 * issuer and audience, every publish is acknowledged and every delivery arrives once, in order; without the CA, or
 * with another audience, no client connects and the run says why.
 */
class LoadGeneratorDeploymentTest {
    private static final String ISSUER = "https://auth.example";
    private static final String AUDIENCE = "switchboard";
    @TempDir
    static Path files;
    private static LocalCluster cluster;
    private static PemFiles gateway;
    private static Path tokenKey;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPlatform() throws Exception {
        gateway = DevCertificates.generate(files, List.of("gateway")).get("gateway");
        KeyPair keys = TokenKeys.rsa();
        tokenKey = TokenKeys.writePrivate(keys, files.resolve("token-key.pem"));
        Path publicKey = TokenKeys.writePublic(keys, files.resolve("token-key.pub.pem"));
        cluster = LocalCluster.builder().history(false)
                .set("gateway.tls.certificate", gateway.certificateChain().toString())
                .set("gateway.tls.private-key", gateway.privateKey().toString())
                .set("gateway.auth.rs256-public-key-file", publicKey.toString())
                .set("gateway.auth.issuer", ISSUER)
                .set("gateway.auth.audience", AUDIENCE)
                .build().start();
    }

    @AfterAll
    static void stopPlatform() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void withTheCaAndTheSigningKeyEveryPublishIsAckedAndDeliveredOnce() throws Exception {
        URI url = cluster.webSocketUri(0);
        assertThat(url.getScheme()).isEqualTo("wss");
        Path out = dir.resolve("wss");
        CommandRuns.succeed(fanout(out, "--ca-file", gateway.caBundle().toString(), "--audience", AUDIENCE));

        StepFigures fanout = new ObjectMapper().readValue(out.resolveSibling("wss.json").toFile(), LoadReport.class)
                .targets().getFirst().steps().getFirst();
        // 20 publishes/s for 2 s into 2 rooms of 3 subscribers.
        assertThat(fanout.sent()).isEqualTo(40);
        assertThat(fanout.acked()).isEqualTo(fanout.sent());
        assertThat(fanout.delivered()).isEqualTo(fanout.sent() * 3);
        assertThat(fanout.lost()).isZero();
        assertThat(fanout.duplicates()).isZero();
        assertThat(fanout.outOfOrder()).isZero();
        assertThat(fanout.errors()).as("errors: " + fanout.firstError()).isZero();
        assertThat(fanout.drops()).isZero();
    }

    @Test
    void withoutTheCaNoClientConnectsAndTheRunNamesTheHandshakeFailure() {
        Exception failure = CommandRuns.failure(fanout(dir.resolve("untrusted"), "--audience", AUDIENCE));
        assertThat(failure).isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("(?s)(\\d+) of \\1 clients failed to connect: .*")
                .hasMessageContaining("SSLHandshakeException");
    }

    @Test
    void withAnotherAudienceEveryTokenIsRefusedAndTheRunSaysWhatMustMatch() {
        Exception failure = CommandRuns.failure(fanout(dir.resolve("audience"), "--ca-file",
                gateway.caBundle().toString(), "--audience", "another-service"));
        assertThat(failure).isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("(?s)(\\d+) of \\1 clients failed to connect: .*")
                .hasMessageContaining("closed by the server: 3500 ")
                .hasMessageContaining("signed with --token-key " + tokenKey.toAbsolutePath())
                .hasMessageContaining("--issuer and --audience must match");
    }

    private static String[] fanout(Path out, String... more) {
        String[] base = {"--url", cluster.webSocketUri(0).toString(), "--workload", "fanout", "--rooms", "2",
                "--members", "3", "--rate", "20", "--warmup", "PT1S", "--duration", "PT2S", "--drain-timeout", "PT20S",
                "--processes", "1", "--worker-warm-up", "2000", "--token-key", tokenKey.toString(),
                "--issuer", ISSUER, "--server-pid", Long.toString(ProcessHandle.current().pid()),
                "--out", out.toString()};
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
