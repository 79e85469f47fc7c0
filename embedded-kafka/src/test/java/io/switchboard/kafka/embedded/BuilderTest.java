package io.switchboard.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** Validation and generated configuration; no broker is started. */
class BuilderTest {

    @Test
    void rejectsBadSettingsWithOneMessageShape() {
        assertThatThrownBy(() -> EmbeddedKafka.builder().nodes(0))
                .hasMessage("nodes: 0 (expected: 1..5)");
        assertThatThrownBy(() -> EmbeddedKafka.builder().nodes(6))
                .hasMessage("nodes: 6 (expected: 1..5)");
        assertThatThrownBy(() -> EmbeddedKafka.builder().basePort(70000))
                .hasMessage("basePort: 70000 (expected: 0..65535, 0 = free ports)");
        assertThatThrownBy(() -> EmbeddedKafka.builder().startTimeout(Duration.ZERO))
                .hasMessage("startTimeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> EmbeddedKafka.builder().brokerProperty(" ", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddedKafka.builder().nodes(3).basePort(9092).controllerBasePort(9093).build())
                .hasMessageContaining("controllerBasePort: 9093");
        assertThatThrownBy(() -> EmbeddedKafka.builder().childJvmOption("-Xss1m").build())
                .hasMessageContaining("only with mode CHILD_PROCESS");
    }

    @Test
    void operationsBeforeStartFailClearly() {
        EmbeddedKafka kafka = EmbeddedKafka.builder().nodes(2).build();
        assertThat(kafka.nodeCount()).isEqualTo(2);
        assertThatThrownBy(kafka::bootstrapServers).hasMessageContaining("not started");
        assertThatThrownBy(() -> kafka.createTopic("t", 1, (short) 1)).hasMessageContaining("cluster is new");
        assertThatThrownBy(() -> kafka.killNode(1)).isInstanceOf(UnsupportedOperationException.class);
        kafka.close();
    }

    @Test
    void singleNodeDefaultsUseReplicationFactorOne() {
        Properties props = propertiesOfNode(1, 1, Map.of());
        assertThat(props)
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("node.id", "1")
                .containsEntry("controller.quorum.voters", "1@127.0.0.1:9101")
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9001,CONTROLLER://127.0.0.1:9101")
                .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:9001")
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("share.coordinator.state.topic.replication.factor", "1")
                .containsEntry("share.coordinator.state.topic.min.isr", "1")
                .containsEntry("min.insync.replicas", "1")
                .containsEntry("group.initial.rebalance.delay.ms", "0")
                .containsEntry("auto.create.topics.enable", "false");
    }

    @Test
    void threeNodeDefaultsReplicateThreeTimesWithMinIsrTwo() {
        Properties props = propertiesOfNode(3, 2, Map.of());
        assertThat(props)
                .containsEntry("node.id", "2")
                .containsEntry("controller.quorum.voters",
                        "1@127.0.0.1:9101,2@127.0.0.1:9102,3@127.0.0.1:9103")
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9002,CONTROLLER://127.0.0.1:9102")
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("default.replication.factor", "3")
                .containsEntry("min.insync.replicas", "2")
                .containsEntry("transaction.state.log.min.isr", "2")
                .containsEntry("broker.session.timeout.ms", "3000")
                .containsEntry("broker.heartbeat.interval.ms", "500");
        assertThat(propertiesOfNode(5, 5, Map.of())).containsEntry("offsets.topic.replication.factor", "3");
    }

    @Test
    void overridesWin() {
        Properties props = propertiesOfNode(1, 1, Map.of("auto.create.topics.enable", "true", "log.retention.ms", "1000"));
        assertThat(props)
                .containsEntry("auto.create.topics.enable", "true")
                .containsEntry("log.retention.ms", "1000");
    }

    private static Properties propertiesOfNode(int nodes, int id, Map<String, String> overrides) {
        List<NodeSpec> cluster = java.util.stream.IntStream.rangeClosed(1, nodes)
                .mapToObj(i -> new NodeSpec(i, "127.0.0.1", 9000 + i, 9100 + i, Path.of("/tmp/ek/node-" + i)))
                .toList();
        return new BrokerProperties(cluster, overrides).forNode(cluster.get(id - 1));
    }
}
