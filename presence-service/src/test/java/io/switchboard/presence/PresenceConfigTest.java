package io.switchboard.presence;

import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PresenceConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsComeFromTheClasspathYamlAndMatchTheBuilder() {
        PresenceConfig config = PresenceConfig.from(PresenceConfig.helidonConfig(List.of(), Optional.empty()));
        PresenceConfig built = PresenceConfig.builder().id(config.id()).build();
        assertThat(config.toString()).isEqualTo(built.toString());
        assertThat(config.grpcPort()).isEqualTo(7090);
        assertThat(config.metricsPort()).isEqualTo(9093);
        assertThat(config.leaseTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.deltaInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.leaveGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.warmUp()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.largeRoomThreshold()).isEqualTo(100);
        assertThat(config.maxDeltaMembers()).isEqualTo(50);
        assertThat(config.topic()).isEqualTo("switchboard.presence");
        assertThat(config.topicPartitions()).isEqualTo(4);
        assertThat(config.topicMinInsyncReplicas()).isEmpty();
        assertThat(config.reapInterval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void overridesWinOverTheFileAndUnknownKeysAreReported() throws Exception {
        Path file = dir.resolve("presence.yaml");
        Files.writeString(file, """
                presence:
                  lease-ttl: PT2S
                  delta-interval: PT0.1S
                  leave-grace: PT0S
                  bogus: 1
                kafka:
                  presence-topic:
                    name: my.presence
                  topic:
                    replication-factor: 3
                    min-insync-replicas: 2
                  producer:
                    compression.type: lz4
                """);
        var helidon = PresenceConfig.helidonConfig(
                List.of(ConfigSources.create(Map.of("presence.lease-ttl", "PT3S")).build()), Optional.of(file));
        PresenceConfig config = PresenceConfig.from(helidon);
        assertThat(config.leaseTtl()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.deltaInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.leaveGrace()).isZero();
        assertThat(config.topic()).isEqualTo("my.presence");
        assertThat(config.topicReplicationFactor()).isEqualTo((short) 3);
        assertThat(config.topicMinInsyncReplicas()).isEqualTo(OptionalInt.of(2));
        assertThat(config.producerProperties()).containsEntry("compression.type", "lz4");
        assertThat(PresenceConfigReader.unknownKeys(helidon)).containsExactly("presence.bogus");
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> PresenceConfig.from(PresenceConfig.helidonConfig(
                List.of(ConfigSources.create(Map.of("presence.lease-ttl", "5s")).build()), Optional.empty())))
                .hasMessage("presence.lease-ttl: '5s' (expected: an ISO-8601 duration such as PT30S)");
        assertThatThrownBy(() -> PresenceConfig.builder().leaseTtl(Duration.ZERO))
                .hasMessage("presence.lease-ttl: PT0S (expected: PT0.03S-PT1H)");
        assertThatThrownBy(() -> PresenceConfig.builder().leaveGrace(Duration.ofSeconds(-1)))
                .hasMessage("presence.leave-grace: PT-1S (expected: PT0S-PT1H)");
        assertThatThrownBy(() -> PresenceConfig.builder().maxDeltaMembers(-1))
                .hasMessage("presence.max-delta-members: -1 (expected: >= 0)");
        assertThatThrownBy(() -> PresenceConfig.builder().producerProperty("acks", "1"))
                .hasMessage("kafka.producer.acks: '1' (expected: not set: the presence service owns it)");
        assertThatThrownBy(() -> PresenceConfig.builder().topicMinInsyncReplicas(2).build())
                .hasMessage("kafka.topic.min-insync-replicas: 2 (expected: <= kafka.topic.replication-factor 1)");
    }
}
