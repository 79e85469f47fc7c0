package io.switchboard.router;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouterConfigTest {
    @Test
    void builderDefaultsAreTheDocumentedOnes() {
        RouterConfig config = RouterConfig.builder().build();

        assertThat(config.grpcPort()).isEqualTo(7070);
        assertThat(config.metricsPort()).isEqualTo(9091);
        assertThat(config.maxPayloadBytes()).isEqualTo(65_536);
        assertThat(config.maxInFlight()).isEqualTo(10_000);
        assertThat(config.dedupMaxEntries()).isEqualTo(200_000);
        assertThat(config.dedupTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.deliveryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.linger()).isEqualTo(Duration.ofMillis(2));
        assertThat(config.maxBlock()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(config.topic()).isEqualTo("switchboard.rooms");
        assertThat(config.topicPartitions()).isEqualTo(12);
        assertThat(config.topicReplicationFactor()).isEqualTo((short) 1);
        assertThat(config.topicCreate()).isTrue();
        assertThat(config.topicMinInsyncReplicas()).isEmpty();
        assertThat(config.producerProperties()).isEmpty();
        assertThat(config.id()).isNotBlank();
        assertThat(config.ephemeralTopic()).isEqualTo("switchboard.ephemeral");
        assertThat(config.controlTopic()).isEqualTo("switchboard.control");
        assertThat(config.controlTopicPartitions()).isEqualTo(4);
        assertThat(config.presenceTopic()).isEqualTo("switchboard.presence");
        assertThat(config.presenceAddress()).isEmpty();
        assertThat(config.presenceTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.presenceCacheTtl()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.presenceCacheMaxEntries()).isEqualTo(100_000);
        assertThat(config.ephemeralMinInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.ephemeralTtl()).isEqualTo(Duration.ofSeconds(6));
        assertThat(config.historyAddress()).isEmpty();
    }

    @Test
    void defaultsFileAgreesWithTheBuilderDefaults() {
        RouterConfig fromFile = RouterConfig.from(RouterConfig.helidonConfig(List.of(), Optional.empty()));

        assertThat(fromFile).usingRecursiveComparison().ignoringFields("clock")
                .isEqualTo(RouterConfig.builder().build());
    }

    @Test
    void readsEveryKey() {
        Map<String, String> values = Map.ofEntries(
                entry("router.id", "router-a"),
                entry("router.grpc.port", "0"),
                entry("router.metrics.port", "-1"),
                entry("router.max-payload-bytes", "1024"),
                entry("router.max-in-flight", "5"),
                entry("router.dedup.max-entries", "77"),
                entry("router.dedup.ttl", "PT2M"),
                entry("router.startup-timeout", "PT5S"),
                entry("router.shutdown-grace", "PT1S"),
                entry("router.kafka.delivery-timeout", "PT20S"),
                entry("router.kafka.linger", "PT0.005S"),
                entry("router.kafka.max-block", "PT0.5S"),
                entry("kafka.bootstrap-servers", "k1:9092,k2:9092"),
                entry("kafka.topic.name", "rooms.v2"),
                entry("kafka.topic.partitions", "3"),
                entry("kafka.topic.replication-factor", "3"),
                entry("kafka.topic.create", "false"),
                entry("kafka.topic.min-insync-replicas", "2"),
                entry("kafka.producer.compression.type", "lz4"),
                entry("kafka.producer.batch.size", "32768"),
                entry("kafka.ephemeral-topic.name", "eph"),
                entry("kafka.control-topic.name", "ctl"),
                entry("kafka.control-topic.partitions", "8"),
                entry("kafka.presence-topic.name", "pres"),
                entry("router.presence.address", "presence:7090"),
                entry("router.presence.timeout", "PT1S"),
                entry("router.presence.cache-ttl", "PT20S"),
                entry("router.presence.cache-max-entries", "9"),
                entry("router.ephemeral.min-interval", "PT0.5S"),
                entry("router.ephemeral.ttl", "PT3S"),
                entry("router.history.address", "[::1]:7080"),
                entry("router.api.enabled", "true"),
                entry("router.api.auth.hs256-secret", "api-secret-0123456789abcdef0123456789"),
                entry("router.api.stream-window", "32"));

        RouterConfig config = RouterConfig.from(Config.just(ConfigSources.create(values)));

        assertThat(config.id()).isEqualTo("router-a");
        assertThat(config.grpcPort()).isZero();
        assertThat(config.metricsPort()).isEqualTo(-1);
        assertThat(config.maxPayloadBytes()).isEqualTo(1024);
        assertThat(config.maxInFlight()).isEqualTo(5);
        assertThat(config.dedupMaxEntries()).isEqualTo(77);
        assertThat(config.dedupTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.startupTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.deliveryTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.linger()).isEqualTo(Duration.ofMillis(5));
        assertThat(config.maxBlock()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(config.topic()).isEqualTo("rooms.v2");
        assertThat(config.topicPartitions()).isEqualTo(3);
        assertThat(config.topicReplicationFactor()).isEqualTo((short) 3);
        assertThat(config.topicCreate()).isFalse();
        assertThat(config.topicMinInsyncReplicas()).isEqualTo(OptionalInt.of(2));
        assertThat(config.producerProperties())
                .containsExactlyInAnyOrderEntriesOf(Map.of("compression.type", "lz4", "batch.size", "32768"));
        assertThat(config.ephemeralTopic()).isEqualTo("eph");
        assertThat(config.controlTopic()).isEqualTo("ctl");
        assertThat(config.controlTopicPartitions()).isEqualTo(8);
        assertThat(config.presenceTopic()).isEqualTo("pres");
        assertThat(config.presenceAddress()).contains("presence:7090");
        assertThat(config.presenceTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.presenceCacheTtl()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.presenceCacheMaxEntries()).isEqualTo(9);
        assertThat(config.ephemeralMinInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.ephemeralTtl()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.historyAddress()).contains("[::1]:7080");
        assertThat(config.api().enabled()).isTrue();
        assertThat(config.api().streamWindow()).isEqualTo(32);
        assertThat(RouterConfigReader.unknownKeys(Config.just(ConfigSources.create(values))))
                .as("router.api.* is the public API's to report").isEmpty();
    }

    @Test
    void sourcesOverrideInOrderEnvironmentSystemPropertiesFileDefaults(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("router.yaml");
        Files.writeString(file, """
                router:
                  max-in-flight: 30
                  max-payload-bytes: 3000
                  dedup:
                    max-entries: 300
                kafka:
                  topic:
                    name: from-file
                """);
        var environment = ConfigSources.create(Map.of("router.max-in-flight", "10")).build();
        var systemProperties = ConfigSources.create(Map.of("router.max-in-flight", "20",
                "router.max-payload-bytes", "2000")).build();

        RouterConfig config = RouterConfig.from(
                RouterConfig.helidonConfig(List.of(environment, systemProperties), Optional.of(file)));

        assertThat(config.maxInFlight()).isEqualTo(10);
        assertThat(config.maxPayloadBytes()).isEqualTo(2000);
        assertThat(config.dedupMaxEntries()).isEqualTo(300);
        assertThat(config.grpcPort()).isEqualTo(7070);
        // The topic name from the file merges with the defaults' other kafka.topic.* keys.
        assertThat(config.topic()).isEqualTo("from-file");
        assertThat(config.topicPartitions()).isEqualTo(12);
    }

    @Test
    void aMissingConfigFileIsAnError(@TempDir Path dir) {
        assertThatThrownBy(() -> RouterConfig.load(Optional.of(dir.resolve("absent.yaml"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--config: ").hasMessageContaining("absent.yaml");
    }

    @Test
    void reportsUnknownKeysUnderTheRouterRoot() {
        Config config = Config.just(ConfigSources.create(Map.of(
                "router.max-inflight", "5", "router.grpc.port", "1", "router.dedup.size", "3",
                "kafka.consumer.group", "not ours")));

        assertThat(RouterConfigReader.unknownKeys(config)).containsExactly("router.dedup.size", "router.max-inflight");
    }

    @Test
    void malformedValuesNameTheirKey() {
        assertThatThrownBy(() -> RouterConfig.from(Config.just(ConfigSources.create(
                Map.of("router.max-in-flight", "many")))))
                .hasMessage("router.max-in-flight: 'many' (expected: an integer)");
        assertThatThrownBy(() -> RouterConfig.from(Config.just(ConfigSources.create(
                Map.of("router.dedup.ttl", "10m")))))
                .hasMessage("router.dedup.ttl: '10m' (expected: an ISO-8601 duration such as PT30S)");
        assertThatThrownBy(() -> RouterConfig.from(Config.just(ConfigSources.create(
                Map.of("kafka.topic.create", "yes")))))
                .hasMessage("kafka.topic.create: 'yes' (expected: true or false)");
    }

    @Test
    void rejectsOutOfRangeValuesAtOnce() {
        RouterConfig.Builder b = RouterConfig.builder();

        assertThatThrownBy(() -> b.maxInFlight(0)).hasMessage("router.max-in-flight: 0 (expected: > 0)");
        assertThatThrownBy(() -> b.grpcPort(70_000)).hasMessage("router.grpc.port: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> b.metricsPort(-2)).hasMessage("router.metrics.port: -2 (expected: -1-65535)");
        assertThatThrownBy(() -> b.dedupTtl(Duration.ZERO)).hasMessage("router.dedup.ttl: PT0S (expected: > PT0S)");
        assertThatThrownBy(() -> b.topic("a topic")).hasMessageStartingWith("kafka.topic.name: 'a topic'");
        assertThatThrownBy(() -> b.maxPayloadBytes(0)).hasMessageStartingWith("router.max-payload-bytes: 0");
        assertThatThrownBy(() -> b.id("has space")).hasMessageStartingWith("router.id: 'has space'");
        assertThatThrownBy(() -> b.bootstrapServers(" ")).hasMessageStartingWith("kafka.bootstrap-servers");
        assertThatThrownBy(() -> b.presenceAddress("presence")).hasMessage(
                "router.presence.address: 'presence' (expected: host:port)");
        assertThatThrownBy(() -> b.historyAddress("h:70000")).hasMessageStartingWith("router.history.address: 'h:70000'");
        assertThatThrownBy(() -> b.ephemeralTtl(Duration.ofHours(2)))
                .hasMessage("router.ephemeral.ttl: PT2H (expected: <= PT1H)");
        assertThatThrownBy(() -> b.ephemeralMinInterval(Duration.ofSeconds(-1)))
                .hasMessageStartingWith("router.ephemeral.min-interval: PT-1S");
        assertThatThrownBy(() -> b.controlTopicPartitions(0)).hasMessageStartingWith("kafka.control-topic.partitions");
        assertThatThrownBy(() -> RouterConfig.builder().controlTopic("switchboard.rooms").build())
                .hasMessageStartingWith("kafka.*-topic.name");
    }

    @Test
    void checksRulesSpanningValuesOnBuild() {
        assertThatThrownBy(() -> RouterConfig.builder().topicReplicationFactor(1).topicMinInsyncReplicas(2).build())
                .hasMessage("kafka.topic.min-insync-replicas: 2 (expected: <= kafka.topic.replication-factor 1)");
        assertThatThrownBy(() -> RouterConfig.builder().dedupTtl(Duration.ofSeconds(30)).build())
                .hasMessage("router.dedup.ttl: PT30S (expected: > router.kafka.delivery-timeout PT30S)");
    }

    @Test
    void producerPassthroughMayNotWeakenDeliveryGuarantees() {
        RouterConfig.Builder b = RouterConfig.builder();

        assertThatThrownBy(() -> b.producerProperty("acks", "1"))
                .hasMessage("kafka.producer.acks: '1' (expected: not set: the router requires acks=all)");
        assertThatThrownBy(() -> b.producerProperty("enable.idempotence", "false"))
                .hasMessageStartingWith("kafka.producer.enable.idempotence");
        assertThatThrownBy(() -> b.producerProperty("delivery.timeout.ms", "1000"))
                .hasMessageContaining("set router.kafka.delivery-timeout");
        assertThatThrownBy(() -> b.producerProperty("max.in.flight.requests.per.connection", "6"))
                .hasMessage("kafka.producer.max.in.flight.requests.per.connection: 6 (expected: 1-5)");
        assertThat(RouterConfig.ownedProducerPropertyKeys()).contains("partitioner.class", "transactional.id");
    }

    @Test
    void producerPropertiesCarryTheGuaranteesAndThePassthrough() {
        RouterConfig config = RouterConfig.builder().id("r1").bootstrapServers("k:1")
                .deliveryTimeout(Duration.ofSeconds(3)).linger(Duration.ofMillis(5))
                .producerProperty("compression.type", "zstd").producerProperty("security.protocol", "SSL")
                .build();

        var producer = KafkaSettings.producer(config);
        var admin = KafkaSettings.admin(config);

        assertThat(producer).containsEntry("enable.idempotence", "true").containsEntry("acks", "all")
                .containsEntry("max.in.flight.requests.per.connection", "5").containsEntry("linger.ms", "5")
                .containsEntry("delivery.timeout.ms", "3000").containsEntry("request.timeout.ms", "2995")
                .containsEntry("bootstrap.servers", "k:1").containsEntry("client.id", "switchboard-router-r1")
                .containsEntry("compression.type", "zstd");
        assertThat(admin).containsEntry("bootstrap.servers", "k:1").containsEntry("security.protocol", "SSL")
                .doesNotContainKey("compression.type");
    }
}
