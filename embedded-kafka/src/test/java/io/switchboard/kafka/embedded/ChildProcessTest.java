package io.switchboard.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class ChildProcessTest {

    private static final String TOPIC = "child.durable";

    @Test
    void dataSurvivesSigkillAndRestart() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.builder().mode(EmbeddedKafka.Mode.CHILD_PROCESS).build();
        try {
            kafka.start();
            long pid = kafka.pidOf(1).orElseThrow();
            Optional<ProcessHandle> child = ProcessHandle.of(pid);
            assertThat(child).isPresent();
            assertThat(child.get().isAlive()).isTrue();
            assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
            assertThat(kafka.dataDirectory().resolve("node-1").resolve("node.log")).isRegularFile();

            kafka.createTopic(TOPIC, 2, (short) 1);
            List<String> values = IntStream.range(0, 10).mapToObj(i -> "durable-" + i).toList();
            TestClients.send(kafka.bootstrapServers(), TOPIC, "room", values);
            assertThat(TestClients.readFromBeginning(kafka.bootstrapServers(), TOPIC, 10, Duration.ofSeconds(30)))
                    .containsExactlyElementsOf(values);

            kafka.killNode(1);
            assertThat(kafka.isRunning(1)).isFalse();
            assertThat(kafka.pidOf(1)).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> !child.get().isAlive());

            kafka.restartNode(1);
            long restartedPid = kafka.pidOf(1).orElseThrow();
            assertThat(restartedPid).isNotEqualTo(pid);

            assertThat(TestClients.readFromBeginning(kafka.bootstrapServers(), TOPIC, 10, Duration.ofSeconds(30)))
                    .containsExactlyElementsOf(values);
            TestClients.send(kafka.bootstrapServers(), TOPIC, "room", List.of("after-restart"));
            assertThat(TestClients.readFromBeginning(kafka.bootstrapServers(), TOPIC, 11, Duration.ofSeconds(30)))
                    .endsWith("after-restart");
        } finally {
            kafka.close();
        }
        assertThat(kafka.pidOf(1)).isEmpty();
    }

    @Test
    void startFailureReportsTheTailOfTheNodeLog() throws Exception {
        // The controller port is taken, so the child JVM fails to bind it and exits; the error must say so and
        // carry the node's log. The start waits for the child's exit, not for the timeout: the long timeout only keeps
        // a slow machine (a child JVM starting for over 30 s at a load average near 30) from ending the wait first.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            EmbeddedKafka kafka = EmbeddedKafka.builder()
                    .mode(EmbeddedKafka.Mode.CHILD_PROCESS)
                    .controllerBasePort(taken.getLocalPort())
                    .startTimeout(Duration.ofMinutes(5))
                    .build();
            try {
                assertThatThrownBy(kafka::start)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("exited with code")
                        .hasMessageContaining("node.log")
                        .hasMessageContaining("Address already in use");
            } finally {
                kafka.close();
            }
        }
    }
}
