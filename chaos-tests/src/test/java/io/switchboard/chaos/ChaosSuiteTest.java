package io.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.drill.Drill;
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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The chaos suite: a real multi-process cluster (3 Kafka brokers with RF=3 and min.insync.replicas=2, 2 routers
 * behind fault proxies, 2 gateways behind a real HAProxy, presence and history), a steady load of SDK clients
 * publishing with acks through HAProxy, and one fault at a time. After each fault the drill checks that no acked
 * message was lost, none was delivered twice to an application, per-room order held, and every client was live
 * again; it records recovery times. Results go to target/chaos-report.{json,md} (the table in
 * docs/chaos-report.md comes from there).
 *
 * <p>CI runs the scenarios not marked {@code chaos.all}; {@code -Dchaos.all=true} (./switchboard chaos) runs
 * every one. Load size: {@code -Dchaos.publishers}, {@code -Dchaos.subscribers} (default 100 each).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosSuiteTest {
    private static final String SECRET = "chaos-suite-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final DrillReport REPORT = new DrillReport();
    private static final Duration READY = Duration.ofSeconds(120);
    private static ProcessCluster cluster;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(HaproxyProcess.installed(),
                "HAProxy is not installed (apt-get install haproxy; .ci/run installs it): the chaos suite needs the real load balancer");
        cluster = ProcessCluster.start(new ProcessCluster.Options(3, 2, 2, true, true, true, true, SECRET));
        REPORT.environment("cluster", "3 Kafka brokers (RF=3, min.insync.replicas=2), 2 routers behind fault proxies, "
                        + "2 gateways behind HAProxy (round robin, no stickiness), presence, history; each its own JVM")
                .environment("load", publishers() + " publishers and " + subscribers() + " subscribers (Java SDK) through HAProxy, "
                        + "20 rooms, each publisher one acked publish every 250 ms")
                .environment("machine", Runtime.getRuntime().availableProcessors() + " cores; every process on one host");
    }

    @AfterAll
    static void stop() {
        try {
            if (!REPORT.results().isEmpty()) {
                REPORT.write(Path.of("target", "chaos-report"));
                System.out.println(REPORT.markdown());
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    @Order(1)
    void sigkillARouter() {
        ServiceProcess router = cluster.routers().get(0);
        drill("kill-router", fault("SIGKILL router-1 (pid " + router.pid() + ")", router::kill, () -> cluster.restart("router-1")));
    }

    @Test
    @Order(2)
    void sigkillAGateway() {
        ServiceProcess gateway = cluster.gateways().get(0);
        drill("kill-gateway", fault("SIGKILL gateway-1 (pid " + gateway.pid() + ")", gateway::kill, () -> cluster.restart("gateway-1")));
    }

    @Test
    @Order(3)
    void drainAGateway() {
        ServiceProcess gateway = cluster.gateways().get(1);
        drill("drain-gateway", fault("POST /admin/drain on gateway-2, then SIGTERM and restart",
                () -> adminDrain(1),
                () -> {
                    gateway.close();
                    cluster.restart("gateway-2");
                }));
    }

    @Test
    @Order(4)
    void sigkillTheLeaderOfAKafkaPartition() {
        int leader = leaderOfPartitionZero();
        drill("kill-kafka-leader", fault("SIGKILL Kafka broker " + leader + ", leader of partition 0",
                () -> cluster.kafka().killNode(leader), () -> cluster.kafka().restartNode(leader)));
    }

    @Test
    @Order(5)
    @EnabledIfSystemProperty(named = "chaos.all", matches = "true")
    void restartPresence() {
        drill("restart-presence", fault("SIGKILL presence, then restart",
                () -> cluster.presence().kill(), () -> cluster.restart("presence")));
    }

    @Test
    @Order(6)
    @EnabledIfSystemProperty(named = "chaos.all", matches = "true")
    void restartHistory() {
        drill("restart-history", fault("SIGKILL history, then restart",
                () -> cluster.history().kill(), () -> cluster.restart("history")));
    }

    @Test
    @Order(7)
    @EnabledIfSystemProperty(named = "chaos.all", matches = "true")
    void delayThenCutTheNetworkToARouter() {
        drill("network-delay-then-cut", fault("200 ms delay for 3 s, then a blackhole, between the gateways and router-1",
                () -> {
                    cluster.routerProxy(0).delay(Duration.ofMillis(200));
                    pause(Duration.ofSeconds(3));
                    cluster.routerProxy(0).blackhole();
                },
                () -> cluster.routerProxy(0).heal()));
    }

    @Test
    @Order(8)
    @EnabledIfSystemProperty(named = "chaos.all", matches = "true")
    void sigstopARouterForSixSeconds() {
        ServiceProcess router = cluster.routers().get(1);
        drill("pause-router", fault("SIGSTOP router-2 for 6 s (a long GC pause), then SIGCONT",
                () -> {
                    router.pause();
                    try {
                        pause(Duration.ofSeconds(6));
                    } finally {
                        router.resume();
                    }
                }, () -> { }));
    }

    /** Runs one drill on a fresh load, records it, and asserts the promise held. */
    private static void drill(String scenario, Drill.Fault fault) {
        awaitHealthy();
        LoadDriver.Settings settings = new LoadDriver.Settings(cluster.balancedUri(),
                user -> CompletableFuture.completedFuture(TOKENS.token(user)), publishers(), subscribers(), 20,
                Duration.ofMillis(250), scenario + "-" + UUID.randomUUID().toString().substring(0, 6));
        DrillResult result;
        try (LoadDriver load = LoadDriver.start(settings, READY)) {
            result = Drill.run(scenario, load, fault, Drill.Timeouts.defaults());
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(scenario + ": " + e.getMessage() + "\nservice logs:\n" + cluster.logs(), e);
        }
        REPORT.add(result);
        assertThat(result.violations()).as("%s violations (logs:%n%s)", scenario, cluster.logs()).isEmpty();
        assertThat(result.passed()).as("%s", result).isTrue();
        assertThat(result.acked()).as("acked messages in %s", scenario).isPositive();
    }

    private static Drill.Fault fault(String description, Runnable inject, Runnable heal) {
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
    private static void awaitHealthy() {
        await().atMost(READY).pollInterval(Duration.ofMillis(250)).until(() ->
                cluster.routers().stream().allMatch(ServiceProcess::isReady)
                        && cluster.gateways().stream().allMatch(ServiceProcess::isReady)
                        && cluster.presence().isReady() && cluster.history().isReady()
                        && cluster.kafka().nodeIds().stream().allMatch(cluster.kafka()::isRunning));
    }

    private static void adminDrain(int gateway) {
        URI uri = cluster.gatewayHttp(gateway).resolve("/admin/drain");
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + ProcessCluster.ADMIN_TOKEN)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("POST %s: %s", uri, response.body()).isEqualTo(202);
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot drain gateway " + (gateway + 1), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static int leaderOfPartitionZero() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.kafka().bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            Map<String, TopicDescription> topics = admin.describeTopics(List.of("switchboard.rooms")).allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            return topics.get("switchboard.rooms").partitions().getFirst().leader().id();
        } catch (Exception e) {
            throw new AssertionError("cannot find the leader of switchboard.rooms-0", e);
        }
    }

    /** The length of a simulated condition (a slow network, a frozen process), not a synchronisation. */
    private static void pause(Duration duration) {
        try {
            TimeUnit.MILLISECONDS.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static int publishers() {
        return Integer.getInteger("chaos.publishers", 100);
    }

    private static int subscribers() {
        return Integer.getInteger("chaos.subscribers", 100);
    }
}
