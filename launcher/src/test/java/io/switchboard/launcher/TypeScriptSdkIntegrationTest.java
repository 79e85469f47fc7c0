package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.switchboard.devcerts.DevCertificates;
import io.switchboard.devcerts.PemFiles;
import io.switchboard.gateway.ws.ProtocolOffer;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.testkit.MetricsScrape;
import io.switchboard.testkit.RequiredTool;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TypeScript SDK's integration tests ({@code npm run test:integration} in sdk/typescript) against a real
 * platform: a cluster with history and the demo token endpoint, whose URLs the tests get through
 * SWITCHBOARD_URL and SWITCHBOARD_TOKEN_URL; once over plain {@code ws://}, once over TLS. Skipped when npm is missing or the SDK was not built
 * ({@code -Dskip.npm=true}); in CI those fail the test instead ({@link RequiredTool}).
 */
class TypeScriptSdkIntegrationTest {
    private static final String SECRET = "ts-sdk-integration-secret-0123456789abcdef";
    private static final Path SDK = Path.of("..", "sdk", "typescript").toAbsolutePath().normalize();

    @AutoClose
    private LocalCluster cluster;

    @Test
    void sdkIntegrationSuitePassesAgainstARunningPlatform() throws Exception {
        requireBuiltSdk();
        cluster = cluster(LocalCluster.builder());
        runSuite(Map.of(), "integration.log");
    }

    /**
     * The same suite over {@code wss://} and {@code https://} to a gateway whose certificate comes from a development
     * CA, which Node trusts through {@code NODE_EXTRA_CA_CERTS} (read by Node's TLS for the "ws" package and
     * fetch alike): the SDK needs no option of its own for a private CA.
     */
    @Test
    void sdkIntegrationSuitePassesOverTls(@TempDir Path certificates) throws Exception {
        requireBuiltSdk();
        PemFiles gateway = DevCertificates.generate(certificates, List.of("gateway")).get("gateway");
        cluster = cluster(LocalCluster.builder()
                .set("gateway.tls.certificate", gateway.certificateChain().toString())
                .set("gateway.tls.private-key", gateway.privateKey().toString()));
        assertThat(cluster.webSocketUri(0).getScheme()).isEqualTo("wss");
        runSuite(Map.of("NODE_EXTRA_CA_CERTS", gateway.caBundle().toString()), "integration-tls.log");
    }

    /**
     * docs/protocol.md section 12: the same suite against a gateway that also offers a newer protocol version. The SDK
     * negotiates v1 on every connection (the gateway counts the subprotocols it negotiated) and behaves unchanged.
     */
    @Test
    void sdkIntegrationSuitePassesAgainstAGatewayThatAlsoOffersANewerVersion() throws Exception {
        requireBuiltSdk();
        // Stand-ins for a later version served side by side with v1: only negotiation is under test.
        cluster = cluster(LocalCluster.builder().additionalProtocols(List.of(
                new ProtocolOffer("switchboard.v2.proto", 2, Subprotocol.PROTO, false),
                new ProtocolOffer("switchboard.v2.json", 2, Subprotocol.JSON, false))));
        runSuite(Map.of(), "integration-v2-offered.log");
        HttpClient http = HttpClient.newHttpClient();
        URI metrics = cluster.httpUri(0).resolve("/metrics");
        String sample = "gateway_subprotocols_negotiated_total{subprotocol=\"%s\"}";
        for (String v1 : List.of("switchboard.v1.proto+batch", "switchboard.v1.json+batch")) {
            assertThat(MetricsScrape.sample(http, metrics, sample.formatted(v1))).as(v1).isPositive();
        }
        for (String v2 : List.of("switchboard.v2.proto", "switchboard.v2.json")) {
            assertThat(MetricsScrape.sample(http, metrics, sample.formatted(v2))).as(v2).isZero();
        }
    }

    private static void requireBuiltSdk() {
        RequiredTool.require(Files.isDirectory(SDK.resolve("node_modules"))
                        && Files.isDirectory(SDK.resolve("packages/client/dist")),
                "the built TypeScript SDK (built unless the build ran with -Dskip.npm=true)");
        RequiredTool.command(List.of("npm", "--version"), "npm comes with Node.js on the machine");
    }

    private static LocalCluster cluster(ClusterSpec spec) {
        return spec.history(true)
                .set("gateway.auth.hs256-secret", SECRET)
                .firstGatewayRouting(SwitchboardMain.demoRouting(SECRET))
                .build()
                .start();
    }

    private void runSuite(Map<String, String> environment, String logName) throws Exception {
        String http = cluster.httpUri(0).toString().replaceAll("/$", "");
        Path log = Files.createDirectories(Path.of("target", "ts-sdk")).resolve(logName);
        ProcessBuilder builder = new ProcessBuilder("npm", "run", "test:integration", "--silent")
                .directory(SDK.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SWITCHBOARD_URL", cluster.webSocketUri(0).toString());
        builder.environment().put("SWITCHBOARD_TOKEN_URL", http + "/demo/token");
        builder.environment().putAll(environment);
        Process npm = builder.start();
        boolean ended = npm.waitFor(4, TimeUnit.MINUTES);
        if (!ended) {
            npm.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(ended).as("npm run test:integration ended within 4 minutes:%n%s", output).isTrue();
        assertThat(npm.exitValue()).as("npm run test:integration:%n%s", output).isZero();
        // node:test prints "# pass N" / "# skipped N": the suite must really have run against the cluster.
        assertThat(output).as(output).containsPattern("# pass [1-9]").containsPattern("# skipped 0");
    }
}
