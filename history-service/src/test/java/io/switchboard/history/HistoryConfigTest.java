package io.switchboard.history;

import static io.switchboard.history.HistoryKeys.DATA_DIR;
import static io.switchboard.history.HistoryKeys.GROUP_ID;
import static io.switchboard.history.HistoryKeys.GRPC_PORT;
import static io.switchboard.history.HistoryKeys.MAX_READ_MESSAGES;
import static io.switchboard.history.HistoryKeys.METRICS_PORT;
import static io.switchboard.history.HistoryKeys.SWEEP_INTERVAL;
import static io.switchboard.service.KafkaKeys.TOPIC_NAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.ConfigSources;
import io.switchboard.service.ConfigFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheDocumentedOnes() {
        HistoryConfig config = HistoryConfig.from(ConfigFiles.layered(List.of(), Optional.empty()));
        assertThat(List.of(config.get(GRPC_PORT), config.get(METRICS_PORT), config.get(MAX_READ_MESSAGES)))
                .containsExactly(7080, 9092, 1000);
        assertThat(config.get(GROUP_ID)).isEqualTo("switchboard-history");
        assertThat(config.retention()).isEqualTo(new RetentionPolicy(Duration.ofDays(7), 10_000));
        assertThat(config.get(SWEEP_INTERVAL)).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.get(TOPIC_NAME)).isEqualTo("switchboard.rooms");
        assertThat(config.get(DATA_DIR)).isEqualTo(Path.of("./data/history"));
    }

    @Test
    void overridesWinOverTheFileAndNamespacesInheritTheDefault() throws Exception {
        Path file = dir.resolve("history.yaml");
        Files.writeString(file, """
                history:
                  grpc:
                    port: 7181
                  retention:
                    max-messages: 50
                    namespaces:
                      temp:
                        max-age: PT1H
                      big.room:
                        max-messages: 900
                  bogus: 1
                kafka:
                  consumer:
                    fetch.min.bytes: 10
                """);
        HistoryConfig config = HistoryConfig.from(ConfigFiles.layered(
                List.of(ConfigSources.create(Map.of("history.grpc.port", "7282")).build()), Optional.of(file)));
        assertThat(config.get(GRPC_PORT)).isEqualTo(7282);
        assertThat(config.retentionFor("temp:x")).isEqualTo(new RetentionPolicy(Duration.ofHours(1), 50));
        assertThat(config.retentionFor("big.room:x")).isEqualTo(new RetentionPolicy(Duration.ofDays(7), 900));
        assertThat(config.retentionFor("chat:x")).isEqualTo(new RetentionPolicy(Duration.ofDays(7), 50));
        assertThat(config.consumerProperties()).containsEntry("fetch.min.bytes", "10");
        assertThat(HistoryKeys.CATALOGUE.unknownKeys(ConfigFiles.layered(List.of(), Optional.of(file))))
                .containsExactly("history.bogus");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> HistoryConfig.builder().set(MAX_READ_MESSAGES, 1001))
                .hasMessage("history.max-read-messages: 1001 (expected: 1-1000)");
        assertThatThrownBy(() -> HistoryConfig.builder().set(METRICS_PORT, -2))
                .hasMessageStartingWith("history.metrics.port: -2");
        assertThatThrownBy(() -> HistoryConfig.builder().parse("kafka.consumer.group.id", "x"))
                .hasMessageStartingWith("kafka.consumer.group.id");
        assertThatThrownBy(() -> HistoryConfig.builder().parse("history.retention.namespaces.a b.max-age", "PT1H"))
                .hasMessage("history.retention.namespaces: 'a b' (expected: a namespace:"
                        + " [A-Za-z0-9][A-Za-z0-9._@/-]*)");
        assertThatThrownBy(() -> HistoryConfig.from(ConfigFiles.layered(
                List.of(ConfigSources.create(Map.of("history.retention.max-age", "7 days")).build()),
                Optional.empty()))).hasMessageContaining("history.retention.max-age: '7 days'");
        assertThatThrownBy(() -> HistoryConfig.from(ConfigFiles.load(Optional.of(dir.resolve("missing.yaml")))))
                .hasMessageStartingWith("--config:");
    }
}
