package io.switchboard.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaMainTest {

    @Test
    void parsesEveryOption() {
        EmbeddedKafkaMain.Options options = EmbeddedKafkaMain.Options.parse(
                "--nodes", "3", "--data-dir", "/tmp/x", "--port", "19092", "--controller-port", "19192",
                "--mode", "child-process", "--broker-property", "log.retention.ms=1000",
                "--broker-property", "a=b=c");
        assertThat(options.nodes()).isEqualTo(3);
        assertThat(options.dataDirectory()).isEqualTo(Path.of("/tmp/x"));
        assertThat(options.port()).isEqualTo(19092);
        assertThat(options.controllerPort()).isEqualTo(19192);
        assertThat(options.mode()).isEqualTo(EmbeddedKafka.Mode.CHILD_PROCESS);
        assertThat(options.brokerProperties()).containsExactlyInAnyOrderEntriesOf(
                Map.of("log.retention.ms", "1000", "a", "b=c"));
        assertThat(EmbeddedKafkaMain.Options.parse().nodes()).isEqualTo(1);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> EmbeddedKafkaMain.Options.parse("--nodes"))
                .hasMessageContaining("Missing required parameter for option '--nodes'");
        assertThatThrownBy(() -> EmbeddedKafkaMain.Options.parse("--mode", "docker"))
                .hasMessageContaining("--mode: docker (expected: in-process or child-process)");
        assertThatThrownBy(() -> EmbeddedKafkaMain.Options.parse("--broker-property", "novalue"))
                .hasMessage("--broker-property: novalue (expected: key=value)");
        assertThatThrownBy(() -> EmbeddedKafkaMain.Options.parse("--nodes", "9").toBuilder())
                .hasMessage("nodes: 9 (expected: 1..5)");
        assertThatThrownBy(() -> EmbeddedKafkaMain.Options.parse("--verbose"))
                .hasMessageContaining("Unknown option: '--verbose'");
        assertThat(EmbeddedKafkaMain.usage()).contains("--nodes=N", "--broker-property=KEY=VALUE");
    }

    @Test
    void printsBootstrapServersWhenReadyAndStopsOnSigterm() throws Exception {
        Process process = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                EmbeddedKafkaMain.class.getName(), "--nodes", "1")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader stdout = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> readBootstrapLine(stdout)).get(60, TimeUnit.SECONDS);
            assertThat(line).matches("KAFKA_BOOTSTRAP=127\\.0\\.0\\.1:\\d+");

            String bootstrap = line.substring(EmbeddedKafkaMain.BOOTSTRAP_PREFIX.length());
            Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
            try {
                Collection<Node> nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
                assertThat(nodes).extracting(Node::id).containsExactly(1);
            } finally {
                admin.close(TestClients.CLOSE_TIMEOUT);
            }

            process.destroy(); // SIGTERM
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
    }

    private static String readBootstrapLine(BufferedReader stdout) {
        try {
            List<String> seen = new java.util.ArrayList<>();
            String line;
            while ((line = stdout.readLine()) != null) {
                if (line.startsWith(EmbeddedKafkaMain.BOOTSTRAP_PREFIX)) {
                    return line;
                }
                seen.add(line);
            }
            throw new IllegalStateException("EmbeddedKafkaMain exited without a bootstrap line; stdout: " + seen);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
