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

/**
 * The chaos suite: a real multi-process cluster (3 Kafka brokers with RF=3 and min.insync.replicas=2, 2 routers
 * behind fault proxies, 2 gateways behind a real HAProxy, 2 sharded presence instances, 2 history replicas), a steady load of SDK clients
 * publishing with acks through HAProxy, and one fault at a time. After each fault the drill checks that no acked
 * message was lost, none was delivered twice to an application, per-room order held, and every client was live
 * again; it records recovery times. Results go to target/chaos-report.{json,md} (the table in
 * docs/chaos-report.md comes from there).
 *
 * <p>CI runs every scenario (./switchboard chaos runs the module alone). Load size: {@code -Dchaos.publishers},
 * {@code -Dchaos.subscribers} (default 100 each, in the test JVM), or {@code -Dchaos.clients=N}: N clients in worker
 * JVMs, 250 per worker ({@link io.switchboard.drill.ChildLoads}), for runs larger than one JVM carries.
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
        // Presence and history as deployed (deploy/kubernetes): two sharded presence instances, two history replicas.
        cluster = ProcessCluster.start(new ProcessCluster.Options(3, 2, 2, true, true, true, true, SECRET)
                .withPresenceInstances(2), 2, ServiceProcess.CHILD_JVM_OPTIONS);
        int childClients = Integer.getInteger("chaos.clients", 0);
        drills = new ChaosDrills(cluster, TOKENS, REPORT, publishers(), subscribers(), childClients, SECRET);
        REPORT.environment("cluster", "3 Kafka brokers (RF=3, min.insync.replicas=2), 2 routers behind fault proxies, "
                        + "2 gateways behind HAProxy (round robin, no stickiness), 2 sharded presence instances, "
                        + "2 history replicas; each its own JVM")
                .environment("load", (childClients > 0
                        ? childClients + " clients (Java SDK, half of them publishers) in " + Math.max(1, (childClients + 249) / 250)
                                + " worker JVMs, each worker's clients in 20 rooms of their own,"
                        : publishers() + " publishers and " + subscribers() + " subscribers (Java SDK) in the test JVM, 20 rooms,")
                        + " through HAProxy, each publisher one acked publish every 250 ms on average, 4 pipelined at a time")
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
    void sigkillAPresenceInstance() {
        drills.drill("kill-presence-instance", ChaosDrills.fault("SIGKILL presence-1 of 2 (its shards move to presence-2), then restart",
                () -> cluster.presences().getFirst().kill(), () -> cluster.restart("presence")));
    }

    @Test
    @Order(6)
    void sigkillAHistoryReplica() {
        drills.drill("kill-history-replica", ChaosDrills.fault("SIGKILL history replica 1 of 2, then restart",
                () -> cluster.histories().getFirst().kill(), () -> cluster.restart("history")));
    }

    @Test
    @Order(9)
    void restartPresence() {
        drills.drill("restart-presence", ChaosDrills.fault("SIGKILL both presence instances, then restart them",
                () -> cluster.presences().forEach(ServiceProcess::kill), () -> cluster.restart("presence", "presence-2")));
    }

    @Test
    @Order(10)
    void restartHistory() {
        drills.drill("restart-history", ChaosDrills.fault("SIGKILL both history replicas, then restart them",
                () -> cluster.histories().forEach(ServiceProcess::kill), () -> cluster.restart("history", "history-2")));
    }

    @Test
    @Order(7)
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
