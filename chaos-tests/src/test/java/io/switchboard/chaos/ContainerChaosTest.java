package io.switchboard.chaos;

import io.switchboard.drill.DrillReport;
import io.switchboard.testkit.Haproxy;
import io.switchboard.testkit.RequiredTool;
import io.switchboard.testkit.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
class ContainerChaosTest extends CoreDrills {
    private static final String SECRET = "container-chaos-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final DrillReport REPORT = new DrillReport();

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    private static ProcessCluster cluster;
    private static ChaosDrills drills;

    @BeforeAll
    static void start() {
        RequiredTool.executable(Haproxy.BINARY, "apt-get install haproxy; .ci/run installs it");
        cluster = ProcessCluster.start(new ProcessCluster.Options(1, 2, 2, true, true, true, true, SECRET,
                KAFKA.getBootstrapServers()));
        drills = new ChaosDrills(cluster, TOKENS, REPORT.environment("kafka", "apache/kafka in Docker (Testcontainers)"),
                Integer.getInteger("chaos.publishers", 100), Integer.getInteger("chaos.subscribers", 100));
    }

    @AfterAll
    static void stop() {
        ChaosDrills.finish(REPORT, "chaos-report-containers", cluster);
    }

    @Override
    ChaosDrills drills() {
        return drills;
    }
}
