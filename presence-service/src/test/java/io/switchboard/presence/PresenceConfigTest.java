package io.switchboard.presence;

import static io.switchboard.presence.PresenceKeys.DELTA_INTERVAL;
import static io.switchboard.presence.PresenceKeys.GRPC_PORT;
import static io.switchboard.presence.PresenceKeys.LARGE_ROOM_THRESHOLD;
import static io.switchboard.presence.PresenceKeys.LEASE_TTL;
import static io.switchboard.presence.PresenceKeys.LEAVE_GRACE;
import static io.switchboard.presence.PresenceKeys.MAX_DELTA_MEMBERS;
import static io.switchboard.presence.PresenceKeys.METRICS_PORT;
import static io.switchboard.service.KafkaKeys.TOPIC_MIN_INSYNC_REPLICAS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.ConfigSources;
import io.switchboard.service.ConfigFiles;
import io.switchboard.service.KafkaTopicSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PresenceConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheDocumentedOnes() {
        PresenceConfig config = PresenceConfig.from(ConfigFiles.layered(List.of(), Optional.empty()));
        assertThat(List.of(config.get(GRPC_PORT), config.get(METRICS_PORT), config.get(LARGE_ROOM_THRESHOLD),
                config.get(MAX_DELTA_MEMBERS))).containsExactly(7090, 9093, 100, 50);
        assertThat(config.get(LEASE_TTL)).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.get(DELTA_INTERVAL)).isEqualTo(Duration.ofMillis(500));
        assertThat(config.get(LEAVE_GRACE)).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.warmUp()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.topicSettings())
                .isEqualTo(new KafkaTopicSettings("switchboard.presence", 4, (short) 1, OptionalInt.empty(), true));
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
        var helidon = ConfigFiles.layered(
                List.of(ConfigSources.create(Map.of("presence.lease-ttl", "PT3S")).build()), Optional.of(file));
        PresenceConfig config = PresenceConfig.from(helidon);
        assertThat(config.get(LEASE_TTL)).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.get(DELTA_INTERVAL)).isEqualTo(Duration.ofMillis(100));
        assertThat(config.get(LEAVE_GRACE)).isZero();
        assertThat(config.topicSettings())
                .isEqualTo(new KafkaTopicSettings("my.presence", 4, (short) 3, OptionalInt.of(2), true));
        assertThat(config.producerProperties()).containsEntry("compression.type", "lz4");
        assertThat(PresenceKeys.CATALOGUE.unknownKeys(helidon)).containsExactly("presence.bogus");
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> PresenceConfig.from(ConfigFiles.layered(
                List.of(ConfigSources.create(Map.of("presence.lease-ttl", "5s")).build()), Optional.empty())))
                .hasMessage("presence.lease-ttl: '5s' (expected: an ISO-8601 duration such as PT30S)");
        assertThatThrownBy(() -> PresenceConfig.builder().set(LEASE_TTL, Duration.ZERO))
                .hasMessage("presence.lease-ttl: PT0S (expected: PT0.03S-PT1H)");
        assertThatThrownBy(() -> PresenceConfig.builder().set(LEAVE_GRACE, Duration.ofSeconds(-1)))
                .hasMessage("presence.leave-grace: PT-1S (expected: PT0S-PT1H)");
        assertThatThrownBy(() -> PresenceConfig.builder().set(MAX_DELTA_MEMBERS, -1))
                .hasMessage("presence.max-delta-members: -1 (expected: >= 0)");
        assertThatThrownBy(() -> PresenceConfig.builder().parse("kafka.producer.acks", "1"))
                .hasMessage("kafka.producer.acks: '1' (expected: not set: the presence service owns it)");
        assertThatThrownBy(() -> PresenceConfig.builder().set(TOPIC_MIN_INSYNC_REPLICAS, 2).build())
                .hasMessage("kafka.topic.min-insync-replicas: 2 (expected: <= kafka.topic.replication-factor 1)");
    }
}
