package io.switchboard.chaos;

import io.switchboard.drill.DrillReport;
import io.switchboard.testkit.Haproxy;
import io.switchboard.testkit.RequiredTool;
import io.switchboard.testkit.TestTokens;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
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
class ChaosSuiteTest extends CoreDrills {
    private static final String SECRET = "chaos-suite-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final DrillReport REPORT = new DrillReport();
    private static final Duration READY = Duration.ofSeconds(120);
    private static ProcessCluster cluster;
    private static ChaosDrills drills;

    @BeforeAll
    static void start() {
        // The chaos suite needs the real load balancer.
        RequiredTool.executable(Haproxy.BINARY, "apt-get install haproxy; .ci/run installs it");
        cluster = ProcessCluster.start(new ProcessCluster.Options(3, 2, 2, true, true, true, true, SECRET));
        drills = new ChaosDrills(cluster, TOKENS, REPORT, publishers(), subscribers());
        REPORT.environment("cluster", "3 Kafka brokers (RF=3, min.insync.replicas=2), 2 routers behind fault proxies, "
                        + "2 gateways behind HAProxy (round robin, no stickiness), presence, history; each its own JVM")
                .environment("load", publishers() + " publishers and " + subscribers() + " subscribers (Java SDK) through HAProxy, "
                        + "20 rooms, each publisher one acked publish every 250 ms on average, 4 pipelined at a time")
                .environment("machine", Runtime.getRuntime().availableProcessors() + " cores; every process on one host");
    }

    @AfterAll
    static void stop() {
        ChaosDrills.finish(REPORT, "chaos-report", cluster);
    }

    @Override
    ChaosDrills drills() {
        return drills;
    }

    @Test
    @Order(4)
    void sigkillTheLeaderOfAKafkaPartition() {
        int leader = leaderOfPartitionZero();
        drills.drill("kill-kafka-leader", ChaosDrills.fault("SIGKILL Kafka broker " + leader + ", leader of partition 0",
                () -> cluster.kafka().killNode(leader), () -> cluster.kafka().restartNode(leader)));
    }

    @Test
    @Order(5)
    @EnabledIfSystemProperty(named = "chaos.all", matches = "true")
    void restartPresence() {
        drills.drill("restart-presence", ChaosDrills.fault("SIGKILL presence, then restart",
                () -> cluster.presence().kill(), () -> cluster.restart("presence")));
    }

    @Test
    @Order(6)
    @EnabledIfSystemProperty(named = "chaos.all", matches = "true")
    void restartHistory() {
        drills.drill("restart-history", ChaosDrills.fault("SIGKILL history, then restart",
                () -> cluster.history().kill(), () -> cluster.restart("history")));
    }

    @Test
    @Order(7)
    @EnabledIfSystemProperty(named = "chaos.all", matches = "true")
    void delayThenCutTheNetworkToARouter() {
        drills.drill("network-delay-then-cut", ChaosDrills.fault("200 ms delay for 3 s, then a blackhole, between the gateways and router-1",
                () -> {
                    cluster.routerProxy(0).delay(Duration.ofMillis(200));
                    ChaosDrills.pause(Duration.ofSeconds(3));
                    cluster.routerProxy(0).blackhole();
                },
                () -> cluster.routerProxy(0).heal()));
    }

    @Test
    @Order(8)
    @EnabledIfSystemProperty(named = "chaos.all", matches = "true")
    void sigstopARouterForSixSeconds() {
        ServiceProcess router = cluster.routers().get(1);
        drills.drill("pause-router", ChaosDrills.fault("SIGSTOP router-2 for 6 s (a long GC pause), then SIGCONT",
                () -> {
                    router.pause();
                    try {
                        ChaosDrills.pause(Duration.ofSeconds(6));
                    } finally {
                        router.resume();
                    }
                }, () -> { }));
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

    private static int publishers() {
        return Integer.getInteger("chaos.publishers", 100);
    }

    private static int subscribers() {
        return Integer.getInteger("chaos.subscribers", 100);
    }
}
