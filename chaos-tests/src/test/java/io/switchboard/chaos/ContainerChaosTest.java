package io.switchboard.chaos;

import io.switchboard.drill.DrillReport;
import io.switchboard.testkit.RequiredTool;
import io.switchboard.testkit.TestTokens;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The Docker variant of the chaos scenarios that do not kill Kafka nodes: Kafka runs in a Testcontainers
 * container (the apache/kafka image), every Switchboard tier as its own JVM process against it, HAProxy in
 * front. On machines without a Docker engine JUnit skips the class ("Docker is not available"), also in CI: there
 * is no Docker engine on these machines by design, and the same scenarios run on the embedded-broker path in
 * {@link ChaosSuiteTest}. A missing HAProxy is a missing tool ({@link RequiredTool}): it fails in CI.
 */
@Testcontainers(disabledWithoutDocker = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerChaosTest {
    private static final String SECRET = "container-chaos-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final DrillReport REPORT = new DrillReport();

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    private static ProcessCluster cluster;
    private static ChaosDrills drills;

    @BeforeAll
    static void start() {
        RequiredTool.executable(HaproxyProcess.BINARY_PATH, "apt-get install haproxy; .ci/run installs it");
        cluster = ProcessCluster.start(new ProcessCluster.Options(1, 2, 2, true, true, true, true, SECRET,
                KAFKA.getBootstrapServers()));
        drills = new ChaosDrills(cluster, TOKENS, REPORT.environment("kafka", "apache/kafka in Docker (Testcontainers)"),
                Integer.getInteger("chaos.publishers", 100), Integer.getInteger("chaos.subscribers", 100));
    }

    @AfterAll
    static void stop() {
        try {
            if (!REPORT.results().isEmpty()) {
                REPORT.write(Path.of("target", "chaos-report-containers"));
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
        drills.drill("kill-router", ChaosDrills.fault("SIGKILL router-1 (pid " + router.pid() + ")", router::kill,
                () -> cluster.restart("router-1")));
    }

    @Test
    @Order(2)
    void sigkillAGateway() {
        ServiceProcess gateway = cluster.gateways().get(0);
        drills.drill("kill-gateway", ChaosDrills.fault("SIGKILL gateway-1 (pid " + gateway.pid() + ")", gateway::kill,
                () -> cluster.restart("gateway-1")));
    }

    @Test
    @Order(3)
    void drainAGateway() {
        ServiceProcess gateway = cluster.gateways().get(1);
        drills.drill("drain-gateway", ChaosDrills.fault("POST /admin/drain on gateway-2, then SIGTERM and restart",
                () -> drills.adminDrain(1), () -> {
                    gateway.close();
                    cluster.restart("gateway-2");
                }));
    }
}
