package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The metric catalogue ({@code docs/ops/metrics.md}) against what the tiers export: every metric each service
 * registers is in its tier's table with the same type, and every catalogued metric is registered (so neither a
 * new metric nor a renamed one goes undocumented). Each tier's {@code /metrics} page, scraped after some
 * traffic, serves only catalogued names, and serves the metrics that traffic must have produced.
 */
class MetricCatalogueSystemTest {
    static final Path CATALOGUE = Path.of("..", "docs", "ops", "metrics.md").toAbsolutePath().normalize();
    private static final Pattern TYPE_LINE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AutoClose
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = SystemCluster.start(true);
    }

    @Test
    void everyTierExportsExactlyItsCataloguedMetrics() throws IOException {
        Map<String, Map<String, String>> catalogue = Catalogue.read(CATALOGUE);
        assertThat(catalogue).containsOnlyKeys("gateway", "router", "history", "presence", "jvm");

        Map<String, Map<String, String>> registered = new TreeMap<>();
        cluster.registries().forEach((service, registry) ->
                registered.computeIfAbsent(tierOf(service), t -> new TreeMap<>()).putAll(registeredTypes(registry)));
        assertThat(registered).containsOnlyKeys("gateway", "router", "history", "presence");

        // In this one process the JVM's metrics are in the gateways' registries (a standalone service registers
        // them in its own).
        Map<String, String> gateway = new TreeMap<>(registered.get("gateway"));
        Map<String, String> jvm = new TreeMap<>();
        catalogue.get("jvm").keySet().forEach(name -> {
            if (gateway.containsKey(name)) {
                jvm.put(name, gateway.remove(name));
            }
        });
        registered.put("gateway", gateway);
        registered.put("jvm", jvm);
        for (String tier : catalogue.keySet()) {
            assertThat(registered.get(tier)).as("%s metrics (name -> type) registered vs catalogued in %s", tier,
                    CATALOGUE).containsExactlyInAnyOrderEntriesOf(catalogue.get(tier));
        }
    }

    @Test
    void eachTiersMetricsPageServesCataloguedNamesAfterTraffic() throws Exception {
        Map<String, Map<String, String>> catalogue = Catalogue.read(CATALOGUE);
        String room = "chat:metrics";
        try (Peer alice = SystemCluster.peer(cluster, 0, "alice", "chat:*");
             Peer bob = SystemCluster.peer(cluster, 1, "bob", "chat:*")) {
            alice.subscribe(room, false);
            bob.subscribe(room, false);
            int request = alice.nextRequestId();
            alice.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(request).setRoom(room)
                    .setId("m-1").setPayload(ByteString.copyFromUtf8("hello")).setAck(true))
                    .build());
            ServerFrame ack = alice.reply(request);
            assertThat(ack.hasAck()).as("answer to the publish: %s", ack).isTrue();
            ServerFrame delivered = bob.awaitFrame(f -> f.hasMessage() && f.getMessage().getRoom().equals(room));
            assertThat(delivered.getMessage().getPayload().toStringUtf8()).isEqualTo("hello");
        }

        Map<String, List<URI>> pages = new HashMap<>();
        for (int i = 0; i < cluster.gateways().size(); i++) {
            pages.computeIfAbsent("gateway", t -> new ArrayList<>()).add(cluster.httpUri(i).resolve("metrics"));
        }
        cluster.routers().forEach(r -> pages.computeIfAbsent("router", t -> new ArrayList<>())
                .add(local(r.metricsPort())));
        pages.put("presence", List.of(local(cluster.presence().metricsPort())));
        pages.put("history", List.of(local(cluster.history().metricsPort())));

        for (Map.Entry<String, List<URI>> tier : pages.entrySet()) {
            Map<String, String> allowed = new HashMap<>(catalogue.get(tier.getKey()));
            if (tier.getKey().equals("gateway")) {
                allowed.putAll(catalogue.get("jvm"));
            }
            for (URI page : tier.getValue()) {
                Map<String, String> served = served(page);
                assertThat(allowed).as("names served by %s must be catalogued for %s", page, tier.getKey())
                        .containsAllEntriesOf(served);
            }
        }
        // What the subscribes and the publish above must have counted, on the pages an SRE scrapes.
        assertThat(served(pages.get("gateway").getFirst())).containsKeys("gateway_ready",
                "gateway_connections_opened_total", "gateway_frames_received_total", "gateway_frames_sent_total",
                "gateway_publishes_total", "gateway_publish_duration_seconds", "jvm_memory_used_bytes");
        assertThat(served(pages.get("gateway").get(1))).containsKeys("gateway_fanout_records_total",
                "gateway_fanout_deliveries_total", "gateway_fanout_lag_records");
        assertThat(served(pages.get("router").getFirst())).containsKey("switchboard_router_publishes_total");
        assertThat(served(pages.get("history").getFirst())).containsKey("switchboard_history_records_ingested_total");
        assertThat(served(pages.get("presence").getFirst())).containsKey("switchboard_presence_reports_total");
    }

    private static URI local(int port) {
        assertThat(port).as("metrics port").isPositive();
        return URI.create("http://127.0.0.1:" + port + "/metrics");
    }

    /** Metric name to type from the {@code # TYPE} lines of a Prometheus text page. */
    private static Map<String, String> served(URI page) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(page).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", page).isEqualTo(200);
        Map<String, String> names = new TreeMap<>();
        Matcher m = TYPE_LINE.matcher(response.body());
        while (m.find()) {
            // The text format calls an info metric a gauge; the catalogue says info.
            names.put(m.group(1), m.group(1).endsWith("_info") ? "info" : m.group(2));
        }
        return names;
    }

    /** Exposed name to type of everything registered, sampled or not. */
    private static Map<String, String> registeredTypes(PrometheusRegistry registry) {
        Map<String, String> names = new TreeMap<>();
        for (MetricSnapshot snapshot : registry.scrape()) {
            String name = snapshot.getMetadata().getPrometheusName();
            switch (snapshot) {
                case CounterSnapshot c -> names.put(name + "_total", "counter");
                case InfoSnapshot i -> names.put(name + "_info", "info");
                case GaugeSnapshot g -> names.put(name, "gauge");
                case HistogramSnapshot h -> names.put(name, "histogram");
                case SummarySnapshot s -> names.put(name, "summary");
                default -> names.put(name, snapshot.getClass().getSimpleName().replace("Snapshot", "")
                        .toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    private static String tierOf(String serviceId) {
        return serviceId.substring(0, serviceId.indexOf('-'));
    }

    /**
     * The catalogue's tables: a {@code ## } heading names the tier by its first word (Gateway, Router, History,
     * Presence, JVM); each table row that starts with a back-quoted name gives the name, then the type.
     */
    static final class Catalogue {
        private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z_:]+)`\\s*\\|\\s*([a-z]+)\\s*\\|");

        private Catalogue() {
        }

        static Map<String, Map<String, String>> read(Path file) throws IOException {
            Map<String, Map<String, String>> tiers = new TreeMap<>();
            String tier = null;
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("## ")) {
                    tier = line.substring(3).trim().split("[\\s:]+")[0].toLowerCase(Locale.ROOT);
                    continue;
                }
                Matcher row = ROW.matcher(line);
                if (row.find()) {
                    assertThat(tier).as("a metric row before any tier heading: %s", line).isNotNull();
                    String previous = tiers.computeIfAbsent(tier, t -> new TreeMap<>()).put(row.group(1), row.group(2));
                    assertThat(previous).as("%s catalogued twice under %s", row.group(1), tier).isNull();
                }
            }
            return tiers;
        }
    }
}
