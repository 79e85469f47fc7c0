package io.switchboard.history;

import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistoryConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsComeFromTheClasspathYaml() {
        HistoryConfig config = HistoryConfig.from(HistoryConfig.helidonConfig(List.of(), Optional.empty()));
        assertThat(config.grpcPort()).isEqualTo(7080);
        assertThat(config.metricsPort()).isEqualTo(9092);
        assertThat(config.groupId()).isEqualTo("switchboard-history");
        assertThat(config.retention()).isEqualTo(new RetentionPolicy(Duration.ofDays(7), 10_000));
        assertThat(config.sweepInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.maxReadMessages()).isEqualTo(1000);
        assertThat(config.topic()).isEqualTo("switchboard.rooms");
        assertThat(config.dataDir()).isEqualTo(Path.of("./data/history"));
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
        HistoryConfig config = HistoryConfig.from(HistoryConfig.helidonConfig(
                List.of(ConfigSources.create(Map.of("history.grpc.port", "7282")).build()), Optional.of(file)));
        assertThat(config.grpcPort()).isEqualTo(7282);
        assertThat(config.retentionFor("temp:x")).isEqualTo(new RetentionPolicy(Duration.ofHours(1), 50));
        assertThat(config.retentionFor("big.room:x")).isEqualTo(new RetentionPolicy(Duration.ofDays(7), 900));
        assertThat(config.retentionFor("chat:x")).isEqualTo(new RetentionPolicy(Duration.ofDays(7), 50));
        assertThat(config.consumerProperties()).containsEntry("fetch.min.bytes", "10");
        assertThat(HistoryConfigReader.unknownKeys(HistoryConfig.helidonConfig(List.of(), Optional.of(file))))
                .containsExactly("history.bogus");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> HistoryConfig.builder().maxReadMessages(1001))
                .hasMessage("history.max-read-messages: 1001 (expected: 1-1000)");
        assertThatThrownBy(() -> HistoryConfig.builder().metricsPort(-2))
                .hasMessageStartingWith("history.metrics.port: -2");
        assertThatThrownBy(() -> HistoryConfig.builder().consumerProperty("group.id", "x"))
                .hasMessageStartingWith("kafka.consumer.group.id");
        assertThatThrownBy(() -> HistoryConfig.from(HistoryConfig.helidonConfig(
                List.of(ConfigSources.create(Map.of("history.retention.max-age", "7 days")).build()),
                Optional.empty()))).hasMessageContaining("history.retention.max-age: '7 days'");
        assertThatThrownBy(() -> HistoryConfig.load(Optional.of(dir.resolve("missing.yaml"))))
                .hasMessageStartingWith("--config:");
    }
}
