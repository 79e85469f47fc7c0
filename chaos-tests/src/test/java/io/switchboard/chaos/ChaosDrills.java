package io.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.drill.Drill;
import io.switchboard.drill.ChildLoads;
import io.switchboard.drill.DrillLoad;
import io.switchboard.drill.DrillReport;
import io.switchboard.drill.DrillResult;
import io.switchboard.drill.LoadDriver;
import io.switchboard.testkit.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs drills against a {@link ProcessCluster} for the chaos test classes: a fresh SDK load through HAProxy per
 * drill, the drill itself, the result added to a report and the promise asserted. Not thread-safe (one test at
 * a time).
 */
final class ChaosDrills {
    private static final Duration READY = Duration.ofSeconds(120);
    private static final String CLASSPATH = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));

    private final ProcessCluster cluster;
    private final TestTokens tokens;
    private final DrillReport report;
    private final int publishers;
    private final int subscribers;
    /** Above 0: this many clients in worker JVMs ({@link ChildLoads}) instead of the in-process ones. */
    private final int childClients;
    /** The gateways' HS256 secret, for the worker processes' tokens. */
    private final String secret;

    ChaosDrills(ProcessCluster cluster, TestTokens tokens, DrillReport report, int publishers, int subscribers) {
        this(cluster, tokens, report, publishers, subscribers, 0, null);
    }

    /**
     * With {@code childClients} above 0 every drill's load is that many clients (half of them publishers) in worker
     * processes, 250 per worker, minting tokens with {@code secret}; plain {@code ws://} only.
     */
    ChaosDrills(ProcessCluster cluster, TestTokens tokens, DrillReport report, int publishers, int subscribers,
                int childClients, String secret) {
        this.cluster = cluster;
        this.tokens = tokens;
        this.report = report;
        this.publishers = publishers;
        this.subscribers = subscribers;
        this.childClients = childClients;
        this.secret = secret;
    }

    /** Runs one drill on a fresh load, records it, and asserts the promise held. */
    void drill(String scenario, Drill.Fault fault) {
        long begin = System.nanoTime();
        awaitHealthy();
        long healthy = System.nanoTime();
        String runId = scenario + "-" + UUID.randomUUID().toString().substring(0, 6);
        DrillResult result;
        long started;
        try (DrillLoad load = startLoad(runId)) {
            started = System.nanoTime();
            result = Drill.run(scenario, load, fault, Drill.Timeouts.defaults());
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(scenario + ": " + e.getMessage() + "\nservice logs:\n" + cluster.logs(), e);
        }
        System.out.printf("%s: healthy %d ms, load start %d ms, drill and close %d ms%n", scenario,
                (healthy - begin) / 1_000_000, (started - healthy) / 1_000_000, (System.nanoTime() - started) / 1_000_000);
        report.add(result);
        assertThat(result.violations()).as("%s violations (logs:%n%s)", scenario, cluster.logs()).isEmpty();
        assertThat(result.passed()).as("%s", result).isTrue();
        assertThat(result.acked()).as("acked messages in %s", scenario).isPositive();
    }

    /** The drill's load: SDK clients in this JVM, or {@link #childClients} of them in worker processes. */
    private DrillLoad startLoad(String runId) {
        if (childClients > 0) {
            if (cluster.clientTls().isPresent()) {
                throw new IllegalStateException("chaos.clients: worker processes speak plain ws:// only; this cluster uses TLS");
            }
            // 250 clients per worker JVM (half publish), each worker with its own 20 rooms.
            int workers = Math.max(1, (childClients + 249) / 250);
            return ChildLoads.start(new ChildLoads.Settings(cluster.balancedUri(), secret, childClients, workers,
                    Math.min(20, childClients / workers / 2), Duration.ofMillis(250), runId, CLASSPATH,
                    cluster.directory(), ServiceProcess.CHILD_JVM_OPTIONS));
        }
        LoadDriver.Settings settings = new LoadDriver.Settings(cluster.balancedUri(),
                user -> CompletableFuture.completedFuture(tokens.token(user, LoadDriver.ROOM_PATTERN)), publishers, subscribers,
                Math.min(20, Math.min(publishers, subscribers)), Duration.ofMillis(250), runId);
        return LoadDriver.start(settings, READY, cluster.clientTls().orElse(null));
    }

    /** kill-router: SIGKILL router-1 under the load, then restart it. */
    void killRouter() {
        killRouter("kill-router", "");
    }

    /** {@link #killRouter()} as {@code scenario}, its fault described with {@code note} appended. */
    void killRouter(String scenario, String note) {
        ServiceProcess router = cluster.routers().get(0);
        drill(scenario, fault("SIGKILL router-1 (pid " + router.pid() + ")" + note, router::kill,
                () -> cluster.restart("router-1")));
    }

    /** kill-gateway: SIGKILL gateway-1 under the load, then restart it. */
    void killGateway() {
        ServiceProcess gateway = cluster.gateways().get(0);
        drill("kill-gateway", fault("SIGKILL gateway-1 (pid " + gateway.pid() + ")", gateway::kill,
                () -> cluster.restart("gateway-1")));
    }

    /** drain-gateway: the admin drain of gateway-2 under the load, then SIGTERM and a restart. */
    void drainGateway() {
        ServiceProcess gateway = cluster.gateways().get(1);
        drill("drain-gateway", fault("POST /admin/drain on gateway-2, then SIGTERM and restart",
                () -> adminDrain(1), () -> {
                    gateway.close();
                    cluster.restart("gateway-2");
                }));
    }

    /**
     * After a class's drills: writes {@code report} to target/{@code name}.{json,md} and prints it, if a drill ran;
     * then closes {@code cluster} (if it started), also when the report could not be written. Runs in
     * {@code @AfterAll}, before extensions stop what the cluster uses (a Kafka container).
     */
    static void finish(DrillReport report, String name, ProcessCluster cluster) {
        try {
            if (!report.results().isEmpty()) {
                report.write(Path.of("target", name));
                System.out.println(report.markdown());
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    static Drill.Fault fault(String description, Runnable inject, Runnable heal) {
        return new Drill.Fault() {
            @Override
            public String inject() {
                inject.run();
                return description;
            }

            @Override
            public void heal() {
                heal.run();
            }
        };
    }

    /** Every process ready again before the next drill (the previous one healed what it broke). */
    private void awaitHealthy() {
        await().atMost(READY).pollInterval(Duration.ofMillis(250)).until(() ->
                cluster.routers().stream().allMatch(ServiceProcess::isReady)
                        && cluster.gateways().stream().allMatch(ServiceProcess::isReady)
                        && cluster.presences().stream().allMatch(ServiceProcess::isReady)
                        && cluster.histories().stream().allMatch(ServiceProcess::isReady)
                        && cluster.kafkaNodesRunning());
    }

    /** POST /admin/drain on gateway {@code index} (0-based); asserts 202. */
    void adminDrain(int index) {
        URI uri = cluster.gatewayHttp(index).resolve("/admin/drain");
        HttpClient.Builder client = HttpClient.newBuilder();
        cluster.clientTls().ifPresent(client::sslContext);
        try (HttpClient http = client.build()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + ProcessCluster.ADMIN_TOKEN)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("POST %s: %s", uri, response.body()).isEqualTo(202);
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot drain gateway " + (index + 1), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The length of a simulated condition (a slow network, a frozen process), not a synchronisation. */
    static void pause(Duration duration) {
        try {
            TimeUnit.MILLISECONDS.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
