package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.devcerts.DevCertificates;
import io.switchboard.devcerts.PemFiles;
import io.switchboard.launcher.LocalCluster;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator against a deployment that serves {@code wss://} (the gateway's certificate from a development CA the
 * JVM does not trust): with that CA given as {@code --ca-file} every publish is acknowledged and every delivery
 * arrives once, in order; without it no client connects, and the run says why.
 */
class LoadGeneratorTlsTest {
    private static final String SECRET = "load-generator-tls-test-secret-0123456789";
    @TempDir
    static Path certificates;
    private static LocalCluster cluster;
    private static PemFiles gateway;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPlatform() {
        gateway = DevCertificates.generate(certificates, List.of("gateway")).get("gateway");
        cluster = LocalCluster.builder().history(false)
                .set("gateway.auth.hs256-secret", SECRET)
                .set("gateway.tls.certificate", gateway.certificateChain().toString())
                .set("gateway.tls.private-key", gateway.privateKey().toString())
                .build().start();
    }

    @AfterAll
    static void stopPlatform() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void overWssWithTheDeploymentsCaEveryPublishIsAckedAndDelivered() throws Exception {
        URI url = cluster.webSocketUri(0);
        assertThat(url.getScheme()).isEqualTo("wss");
        Path out = dir.resolve("wss");
        CommandRuns.succeed(fanout(url, out, "--ca-file", caFile().toString()));

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
    void withoutTheCaNoClientConnectsAndTheRunSaysTheCertificateIsNotTrusted() {
        Exception failure = CommandRuns.failure(fanout(cluster.webSocketUri(0), dir.resolve("untrusted")));
        assertThat(failure).isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("(?s)(\\d+) of \\1 clients failed to connect: .*")
                .hasMessageContaining("SSLHandshakeException");
    }

    private static Path caFile() {
        return gateway.caBundle();
    }

    private static String[] fanout(URI url, Path out, String... more) {
        String[] base = {"--url", url.toString(), "--workload", "fanout", "--rooms", "2", "--members", "3",
                "--rate", "20", "--warmup", "PT1S", "--duration", "PT2S", "--drain-timeout", "PT20S",
                "--processes", "1", "--worker-warm-up", "2000", "--secret", SECRET,
                "--server-pid", Long.toString(ProcessHandle.current().pid()), "--out", out.toString()};
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
