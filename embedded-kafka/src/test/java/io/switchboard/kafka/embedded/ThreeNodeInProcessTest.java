package io.switchboard.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

class ThreeNodeInProcessTest {

    private static final String TOPIC = "three.replicated";

    @Test
    void survivesAGracefulStopOfThePartitionLeaderAndTakesItBack() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.builder().nodes(3).build();
        try {
            kafka.start();
            assertThat(kafka.bootstrapServers()).isEqualTo(
                    kafka.brokerAddress(1) + "," + kafka.brokerAddress(2) + "," + kafka.brokerAddress(3));
            kafka.createTopic(TOPIC, 1, (short) 3);

            TopicDescription before = describe(kafka.bootstrapServers());
            assertThat(before.partitions().getFirst().replicas()).hasSize(3);
            assertThat(minInsyncReplicas(kafka.bootstrapServers())).isEqualTo("2");

            TestClients.send(kafka.bootstrapServers(), TOPIC, "room", List.of("before-stop"));
            assertThat(TestClients.readAsGroup(kafka.bootstrapServers(), TOPIC, "three-group", 1,
                    Duration.ofSeconds(30))).containsExactly("before-stop");

            int leader = before.partitions().getFirst().leader().id();
            kafka.stopNode(leader);
            assertThat(kafka.isRunning(leader)).isFalse();

            // acks=all with min.insync.replicas=2: the two remaining replicas are enough.
            TestClients.send(kafka.bootstrapServers(), TOPIC, "room", List.of("after-stop"));

            assertThat(describe(kafka.bootstrapServers()).partitions().getFirst().leader().id()).isNotEqualTo(leader);
            assertThat(TestClients.readFromBeginning(kafka.bootstrapServers(), TOPIC, 2, Duration.ofSeconds(30)))
                    .containsExactly("before-stop", "after-stop");

            kafka.restartNode(leader);
            assertThat(kafka.isRunning(leader)).isTrue();
            // Back on the same ports with its old data: it catches up and rejoins the ISR.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(describe(kafka.bootstrapServers()).partitions().getFirst().isr())
                            .extracting(Node::id).contains(leader));
        } finally {
            kafka.close();
        }
    }

    private static TopicDescription describe(String bootstrapServers) throws Exception {
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        try {
            return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC);
        } finally {
            admin.close(TestClients.CLOSE_TIMEOUT);
        }
    }

    private static String minInsyncReplicas(String bootstrapServers) throws Exception {
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        try {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            Config config = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
            return config.get("min.insync.replicas").value();
        } finally {
            admin.close(TestClients.CLOSE_TIMEOUT);
        }
    }
}
