package io.switchboard.router;

import static io.switchboard.router.RouterKeys.CATALOGUE;
import static io.switchboard.router.RouterKeys.DEDUP_MAX_ENTRIES;
import static io.switchboard.router.RouterKeys.DEDUP_TTL;
import static io.switchboard.router.RouterKeys.DELIVERY_TIMEOUT;
import static io.switchboard.router.RouterKeys.EPHEMERAL_MIN_INTERVAL;
import static io.switchboard.router.RouterKeys.EPHEMERAL_TTL;
import static io.switchboard.router.RouterKeys.GRPC_PORT;
import static io.switchboard.router.RouterKeys.HISTORY_ADDRESS;
import static io.switchboard.router.RouterKeys.ID;
import static io.switchboard.router.RouterKeys.LINGER;
import static io.switchboard.router.RouterKeys.MAX_BLOCK;
import static io.switchboard.router.RouterKeys.MAX_IN_FLIGHT;
import static io.switchboard.router.RouterKeys.MAX_PAYLOAD_BYTES;
import static io.switchboard.router.RouterKeys.METRICS_PORT;
import static io.switchboard.router.RouterKeys.PRESENCE_ADDRESS;
import static io.switchboard.router.RouterKeys.PRESENCE_CACHE_MAX_ENTRIES;
import static io.switchboard.router.RouterKeys.PRESENCE_CACHE_TTL;
import static io.switchboard.router.RouterKeys.PRESENCE_TIMEOUT;
import static io.switchboard.router.RouterKeys.SHUTDOWN_GRACE;
import static io.switchboard.router.RouterKeys.STARTUP_TIMEOUT;
import static io.switchboard.service.KafkaKeys.BOOTSTRAP_SERVERS;
import static io.switchboard.service.KafkaKeys.CONTROL_TOPIC_NAME;
import static io.switchboard.service.KafkaKeys.CONTROL_TOPIC_PARTITIONS;
import static io.switchboard.service.KafkaKeys.EPHEMERAL_TOPIC_NAME;
import static io.switchboard.service.KafkaKeys.PRESENCE_TOPIC_NAME;
import static io.switchboard.service.KafkaKeys.TOPIC_MIN_INSYNC_REPLICAS;
import static io.switchboard.service.KafkaKeys.TOPIC_NAME;
import static io.switchboard.service.KafkaKeys.TOPIC_REPLICATION_FACTOR;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.switchboard.service.ConfigFiles;
import io.switchboard.service.KafkaTopicSettings;
import io.switchboard.service.config.ConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterConfigTest {
    // The same keys, in the same order, for the defaults and for the values read: each test lists what it expects.
    private static List<Integer> numbers(RouterConfig config) {
        return List.of(config.get(GRPC_PORT), config.get(METRICS_PORT), config.get(MAX_PAYLOAD_BYTES),
                config.get(MAX_IN_FLIGHT), config.get(CONTROL_TOPIC_PARTITIONS));
    }

    private static List<Long> counts(RouterConfig config) {
        return List.of(config.get(DEDUP_MAX_ENTRIES), config.get(PRESENCE_CACHE_MAX_ENTRIES));
    }

    private static List<Duration> durations(RouterConfig config) {
        return List.of(config.get(DEDUP_TTL), config.get(STARTUP_TIMEOUT), config.get(SHUTDOWN_GRACE),
                config.get(DELIVERY_TIMEOUT), config.get(LINGER), config.get(MAX_BLOCK), config.get(PRESENCE_TIMEOUT),
                config.get(PRESENCE_CACHE_TTL), config.get(EPHEMERAL_MIN_INTERVAL), config.get(EPHEMERAL_TTL));
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        RouterConfig config = RouterConfig.builder().build();

        assertThat(numbers(config))
                .containsExactly(7070, 9091, 65_536, 10_000, 4);
        assertThat(counts(config))
                .containsExactly(200_000L, 100_000L);
        assertThat(durations(config))
                .containsExactly(Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofSeconds(10),
                        Duration.ofSeconds(30), Duration.ofMillis(2), Duration.ofSeconds(1), Duration.ofSeconds(2),
                        Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(6));
        assertThat(List.of(config.get(BOOTSTRAP_SERVERS), config.get(TOPIC_NAME), config.get(EPHEMERAL_TOPIC_NAME),
                config.get(CONTROL_TOPIC_NAME), config.get(PRESENCE_TOPIC_NAME)))
                .containsExactly("127.0.0.1:9092", "switchboard.rooms", "switchboard.ephemeral", "switchboard.control",
                        "switchboard.presence");
        assertThat(config.topicSettings())
                .isEqualTo(new KafkaTopicSettings("switchboard.rooms", 12, (short) 1, OptionalInt.empty(), true));
        assertThat(config.producerProperties()).isEmpty();
        assertThat(config.get(ID)).isNotBlank();
        assertThat(config.find(PRESENCE_ADDRESS)).isEmpty();
        assertThat(config.find(HISTORY_ADDRESS)).isEmpty();
        assertThat(config.api().enabled()).isFalse();
    }

    @Test
    void readsEveryKey() {
        Map<String, String> values = Map.ofEntries(
                entry("router.id", "router-a"),
                entry("router.grpc.port", "0"),
                entry("router.metrics.port", "-1"),
                entry("router.max-payload-bytes", "1KiB"),
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

        assertThat(config.get(ID)).isEqualTo("router-a");
        assertThat(numbers(config))
                .containsExactly(0, -1, 1024, 5, 8);
        assertThat(counts(config))
                .containsExactly(77L, 9L);
        assertThat(durations(config))
                .containsExactly(Duration.ofMinutes(2), Duration.ofSeconds(5), Duration.ofSeconds(1),
                        Duration.ofSeconds(20), Duration.ofMillis(5), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(20), Duration.ofMillis(500), Duration.ofSeconds(3));
        assertThat(List.of(config.get(BOOTSTRAP_SERVERS), config.get(EPHEMERAL_TOPIC_NAME),
                config.get(CONTROL_TOPIC_NAME), config.get(PRESENCE_TOPIC_NAME)))
                .containsExactly("k1:9092,k2:9092", "eph", "ctl", "pres");
        assertThat(config.topicSettings())
                .isEqualTo(new KafkaTopicSettings("rooms.v2", 3, (short) 3, OptionalInt.of(2), false));
        assertThat(config.producerProperties())
                .containsExactlyInAnyOrderEntriesOf(Map.of("compression.type", "lz4", "batch.size", "32768"));
        assertThat(config.find(PRESENCE_ADDRESS)).contains(List.of("presence:7090"));
        assertThat(config.find(HISTORY_ADDRESS)).contains(List.of("[::1]:7080"));
        assertThat(config.api().enabled()).isTrue();
        assertThat(config.api().streamWindow()).isEqualTo(32);
        assertThat(CATALOGUE.unknownKeys(Config.just(ConfigSources.create(values)))).isEmpty();
        assertThat(config.toString()).doesNotContain("api-secret-0123456789abcdef0123456789");
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

        RouterConfig config = RouterConfig.from(ConfigFiles.layered(List.of(environment, systemProperties),
                Optional.of(file)));

        assertThat(config.get(MAX_IN_FLIGHT)).isEqualTo(10);
        assertThat(config.get(MAX_PAYLOAD_BYTES)).isEqualTo(2000);
        assertThat(config.get(DEDUP_MAX_ENTRIES)).isEqualTo(300);
        assertThat(config.get(GRPC_PORT)).isEqualTo(7070);
        assertThat(config.get(TOPIC_NAME)).isEqualTo("from-file");
        assertThat(config.topicSettings().partitions()).isEqualTo(12);
    }

    @Test
    void aMissingConfigFileIsAnError(@TempDir Path dir) {
        assertThatThrownBy(() -> RouterConfig.from(ConfigFiles.load(Optional.of(dir.resolve("absent.yaml")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--config: ").hasMessageContaining("absent.yaml");
    }

    @Test
    void reportsUnknownKeysUnderTheRouterAndKafkaRoots() {
        Config config = Config.just(ConfigSources.create(Map.of(
                "router.max-inflight", "5", "router.grpc.port", "1", "router.dedup.size", "3",
                "router.api.colour", "red", "kafka.consumer.group", "a passthrough", "kafka.topik.name", "x",
                "gateway.port", "not the router's")));

        assertThat(CATALOGUE.unknownKeys(config))
                .containsExactly("kafka.topik.name", "router.api.colour", "router.dedup.size", "router.max-inflight");
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
        ConfigBuilder<RouterConfig> b = RouterConfig.builder();

        assertThatThrownBy(() -> b.set(MAX_IN_FLIGHT, 0)).hasMessage("router.max-in-flight: 0 (expected: > 0)");
        assertThatThrownBy(() -> b.set(GRPC_PORT, 70_000)).hasMessage("router.grpc.port: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> b.set(METRICS_PORT, -2)).hasMessage("router.metrics.port: -2 (expected: -1-65535)");
        assertThatThrownBy(() -> b.set(DEDUP_TTL, Duration.ZERO))
                .hasMessage("router.dedup.ttl: PT0S (expected: > PT0S)");
        assertThatThrownBy(() -> b.set(TOPIC_NAME, "a topic")).hasMessageStartingWith("kafka.topic.name: 'a topic'");
        assertThatThrownBy(() -> b.set(MAX_PAYLOAD_BYTES, 0)).hasMessageStartingWith("router.max-payload-bytes: 0");
        assertThatThrownBy(() -> b.set(ID, "has space")).hasMessageStartingWith("router.id: 'has space'");
        assertThatThrownBy(() -> b.parse(PRESENCE_ADDRESS.name(), "presence")).hasMessageStartingWith(
                "router.presence.address: 'presence'");
        assertThatThrownBy(() -> b.set(HISTORY_ADDRESS, List.of()))
                .hasMessageContaining("expected: at least one host:port");
        assertThatThrownBy(() -> b.set(EPHEMERAL_TTL, Duration.ofHours(2)))
                .hasMessage("router.ephemeral.ttl: PT2H (expected: <= PT1H)");
        assertThatThrownBy(() -> b.set(EPHEMERAL_MIN_INTERVAL, Duration.ofSeconds(-1)))
                .hasMessageStartingWith("router.ephemeral.min-interval: PT-1S");
        assertThatThrownBy(() -> b.set(CONTROL_TOPIC_PARTITIONS, 0))
                .hasMessageStartingWith("kafka.control-topic.partitions");
        assertThatThrownBy(() -> RouterConfig.builder().set(CONTROL_TOPIC_NAME, "switchboard.rooms").build())
                .hasMessageStartingWith("kafka.*-topic.name");
    }

    @Test
    void checksRulesSpanningValuesOnBuild() {
        assertThatThrownBy(() -> RouterConfig.builder().set(TOPIC_REPLICATION_FACTOR, 1)
                .set(TOPIC_MIN_INSYNC_REPLICAS, 2).build())
                .hasMessage("kafka.topic.min-insync-replicas: 2 (expected: <= kafka.topic.replication-factor 1)");
        assertThatThrownBy(() -> RouterConfig.builder().set(DEDUP_TTL, Duration.ofSeconds(30)).build())
                .hasMessage("router.dedup.ttl: PT30S (expected: > router.kafka.delivery-timeout PT30S)");
        assertThatThrownBy(() -> RouterConfig.builder().parse("router.api.enabled", "true").build())
                .hasMessageStartingWith("router.api.auth: no key (expected: hs256-secret,");
    }

    @Test
    void producerPassthroughMayNotWeakenDeliveryGuarantees() {
        ConfigBuilder<RouterConfig> b = RouterConfig.builder();

        assertThatThrownBy(() -> b.parse("kafka.producer.acks", "1"))
                .hasMessage("kafka.producer.acks: '1' (expected: not set: the router requires acks=all)");
        assertThatThrownBy(() -> b.parse("kafka.producer.enable.idempotence", "false"))
                .hasMessageStartingWith("kafka.producer.enable.idempotence");
        assertThatThrownBy(() -> b.parse("kafka.producer.delivery.timeout.ms", "1000"))
                .hasMessageContaining("set router.kafka.delivery-timeout");
        assertThatThrownBy(() -> b.parse("kafka.producer.max.in.flight.requests.per.connection", "6"))
                .hasMessage("kafka.producer.max.in.flight.requests.per.connection: '6' (expected: 1-5)");
        assertThat(b.parse("kafka.producer.max.in.flight.requests.per.connection", "3").build().producerProperties())
                .containsEntry("max.in.flight.requests.per.connection", "3");
    }

    @Test
    void producerPropertiesCarryTheGuaranteesAndThePassthrough() {
        RouterConfig config = RouterConfig.builder().set(ID, "r1").set(BOOTSTRAP_SERVERS, "k:1")
                .set(DELIVERY_TIMEOUT, Duration.ofSeconds(3)).set(LINGER, Duration.ofMillis(5))
                .set(DEDUP_TTL, Duration.ofMinutes(1))
                .parse("kafka.producer.compression.type", "zstd").parse("kafka.producer.security.protocol", "SSL")
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
