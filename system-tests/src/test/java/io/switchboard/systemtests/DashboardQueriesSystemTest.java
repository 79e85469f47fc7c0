package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.service.LoopbackPorts;
import io.switchboard.testkit.RequiredTool;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The Grafana dashboards against a real Prometheus (the Debian package's server): it scrapes every tier of an
 * in-process cluster that carries some traffic, and every panel has at least one query that returns data.
 * A panel whose metric is misnamed, not exported or never sampled shows "No data" to an SRE; this test is what
 * says so first. Then the alert rules on the same real series: pausing a gateway's fan-out (the silent-loss drill)
 * fires SwitchboardDeliveryProbeFailing for it, and killing the router fires SwitchboardTargetDown. The rules are
 * {@code deploy/monitoring/alerts.yml} with every {@code for} shortened to {@value #ALERT_FOR}: this test checks the
 * expressions on real series, and {@code deploy/monitoring/tests/alerts-test.yml} (promtool) checks the durations.
 * Skipped without {@code /usr/bin/prometheus}, failed in CI (which installs it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardQueriesSystemTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path RULES = Path.of("..", "deploy", "monitoring", "alerts.yml").toAbsolutePath()
            .normalize();
    /** Each rule's {@code for} in this test: long enough that a blip stays pending, not minutes of waiting. */
    private static final String ALERT_FOR = "15s";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final String ADMIN_TOKEN = "dashboard-test-admin-token";

    private static LocalCluster cluster;
    private static Process prometheus;
    private static Path work;
    private static URI api;
    private static final Path LOG = Path.of("target", "prometheus.log").toAbsolutePath();

    @BeforeAll
    static void start() throws IOException {
        RequiredTool.executable(PROMETHEUS, "apt-get install prometheus; .ci/run installs it");
        cluster = SystemCluster.builder(true)
                // A fast probe, so the silent-loss drill's alert fires within the test's patience.
                .set("gateway.probe.interval", "PT0.5S")
                .set("gateway.probe.timeout", "PT5S")
                .set("gateway.admin.token", ADMIN_TOKEN)
                .set("gateway.admin.drills", "true")
                .build().start();
        List<String> gateways = new ArrayList<>();
        for (int i = 0; i < cluster.gateways().size(); i++) {
            gateways.add("127.0.0.1:" + cluster.gateway(i).port());
        }
        List<String> routers = cluster.routers().stream().map(r -> "127.0.0.1:" + r.metricsPort()).toList();
        work = Files.createTempDirectory("switchboard-prometheus-");
        Path rules = work.resolve("alerts.yml");
        String original = Files.readString(RULES);
        String shortened = original.replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: " + ALERT_FOR);
        assertThat(shortened).as("the rules' for clauses were found").isNotEqualTo(original);
        Files.writeString(rules, shortened);
        Path config = work.resolve("prometheus.yml");
        // The job names of deploy/monitoring/prometheus.yml, with this cluster's ports and a fast scrape.
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                + "rule_files:\n  - \"" + rules + "\"\nscrape_configs:\n"
                + job("switchboard-gateway", gateways) + job("switchboard-router", routers)
                + job("switchboard-history", List.of("127.0.0.1:" + cluster.history().metricsPort()))
                + job("switchboard-presence", List.of("127.0.0.1:" + cluster.presence().metricsPort())));
        int port = LoopbackPorts.pick();
        api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(Files.createDirectories(LOG.getParent()).resolve(
                        LOG.getFileName()).toFile()).start();
    }

    private static String job(String name, List<String> targets) {
        return "  - job_name: " + name + "\n    static_configs:\n      - targets: ["
                + String.join(", ", targets.stream().map(t -> "\"" + t + "\"").toList()) + "]\n";
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (prometheus != null) {
                prometheus.destroy();
                try {
                    if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                        prometheus.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    prometheus.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            if (work != null) {
                try (Stream<Path> paths = Files.walk(work)) {
                    for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    @Test
    @Order(1)
    void everyPanelReturnsDataFromARealPrometheus() throws Exception {
        String room = "chat:dashboard";
        try (Peer alice = SystemCluster.peer(cluster, 0, "alice", "chat:*");
             Peer bob = SystemCluster.peer(cluster, 1, "bob", "chat:*")) {
            alice.subscribe(room, false);
            bob.subscribe(room, false);
            Map<String, List<String>> panels = Dashboards.panels();
            assertThat(panels).isNotEmpty();
            // Publish until every panel has data: rates need two scrapes that saw the counters move.
            int[] sent = {0};
            for (Map.Entry<String, List<String>> panel : panels.entrySet()) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> {
                            publish(alice, room, "m-" + sent[0]++);
                            assertThat(panel.getValue()).as("panel \"%s\": some query returns data (log: %s)",
                                    panel.getKey(), LOG)
                                    .anyMatch(DashboardQueriesSystemTest::returnsData);
                        });
            }
        }
    }

    /**
     * The silent-loss drill: gateway 2's fan-out is paused (its clients would receive nothing, nothing else shows
     * it); its delivery probes are lost and SwitchboardDeliveryProbeFailing fires for it, not for gateway 1.
     */
    @Test
    @Order(2)
    void pausedFanoutFiresDeliveryProbeFailingForThatGatewayOnly() throws Exception {
        String paused = "127.0.0.1:" + cluster.gateway(1).port();
        String healthy = "127.0.0.1:" + cluster.gateway(0).port();
        String alert = "ALERTS{alertname=\"SwitchboardDeliveryProbeFailing\",alertstate=\"firing\",instance=\"%s\"}";
        await().atMost(Duration.ofSeconds(30)).until(() -> returnsData(
                "switchboard_delivery_probe_latency_seconds_count{instance=\"" + paused + "\"} > 0"));
        assertThat(returnsData("ALERTS{alertname=\"SwitchboardDeliveryProbeFailing\"}")).as("no probe alert before")
                .isFalse();

        assertThat(drill(1, "fanout-pause").body()).isEqualTo("{\"fanoutPaused\":true}");
        try {
            // Lost after the 5 s timeout; more than a quarter of 2 minutes' probes lost (about 35 s), then the
            // rule's for (shortened).
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> returnsData(alert.formatted(paused)));
            assertThat(returnsData(alert.formatted(healthy))).as("the healthy gateway is not blamed").isFalse();
        } finally {
            drill(1, "fanout-resume");
        }
    }

    private static HttpResponse<String> drill(int gateway, String action) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(cluster.httpUri(gateway).resolve("admin/drill/" + action))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Last, since it takes the cluster's only router away: the alert rules on real series, not only in promtool. */
    @Test
    @Order(3)
    void killingARouterFiresTargetDown() {
        String firing = "ALERTS{alertname=\"SwitchboardTargetDown\",alertstate=\"firing\",job=\"switchboard-router\"}";
        await().atMost(Duration.ofSeconds(30)).until(() -> returnsData("up{job=\"switchboard-router\"} == 1"));
        assertThat(returnsData("ALERTS{alertname=\"SwitchboardTargetDown\"}")).as("no target down before").isFalse();

        cluster.router(0).shutdown(Duration.ZERO);

        // The rule waits for its for (shortened) of failed scrapes before it fires.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> returnsData(firing));
    }

    private static void publish(Peer peer, String room, String id) {
        peer.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(peer.nextRequestId())
                .setRoom(room).setId(id).setPayload(ByteString.copyFromUtf8(id)).setAck(true)).build());
    }

    /** True when the instant query succeeds with at least one series (a NaN sample counts: the panel draws it). */
    private static boolean returnsData(String query) {
        try {
            URI uri = api.resolve("query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"status\":\"success\"")
                    && !response.body().contains("\"result\":[]");
        } catch (IOException e) {
            return false; // Prometheus still starting
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
