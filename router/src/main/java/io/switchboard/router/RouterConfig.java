package io.switchboard.router;

import static io.switchboard.service.ConfigChecks.check;
import static io.switchboard.service.ConfigChecks.positive;

import io.helidon.config.Config;
import io.helidon.config.spi.ConfigSource;
import io.switchboard.router.api.ApiConfig;
import io.switchboard.service.ConfigChecks;
import io.switchboard.service.ConfigFiles;
import io.switchboard.service.InstanceIds;
import io.switchboard.service.KafkaClientSettings;
import io.switchboard.service.KafkaTopicSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The router's configuration: immutable and validated when built. Immutable, hence thread-safe.
 *
 * <p>Built either from Helidon {@link Config} ({@link #from(Config)}, keys {@code router.*} plus the shared
 * {@code kafka.*} section) or programmatically ({@link #builder()}). Every value is checked as soon as it is
 * set and rules spanning several values when {@link Builder#build()} runs; error messages name the config
 * key, in the form {@code "router.max-in-flight: 0 (expected: > 0)"}. The catalogue of keys with defaults
 * is {@code docs/configuration.md} (router section) and {@code router-defaults.yaml}.
 */
public final class RouterConfig {
    /** The classpath resource holding the defaults, lowest priority of all sources. */
    public static final String DEFAULTS_RESOURCE = "router-defaults.yaml";

    static final int MAX_PAYLOAD_LIMIT = 16 * 1024 * 1024;
    /** Ephemeral events are "typing..." hints: an hour is far beyond any use and fits uint32 milliseconds. */
    static final Duration MAX_EPHEMERAL_TTL = Duration.ofHours(1);

    /**
     * Producer properties the router owns: its delivery guarantees (idempotence, acks), the room-to-partition
     * mapping every consumer relies on (partitioner, key handling) or typed keys of their own.
     */
    private static final Map<String, String> OWNED_PRODUCER_PROPERTIES = ownedProducerProperties();

    private final String id;
    private final int grpcPort;
    private final int metricsPort;
    private final int maxPayloadBytes;
    private final int maxInFlight;
    private final long dedupMaxEntries;
    private final Duration dedupTtl;
    private final Duration startupTimeout;
    private final Duration shutdownGrace;
    private final Duration deliveryTimeout;
    private final Duration linger;
    private final Duration maxBlock;
    private final String bootstrapServers;
    private final KafkaTopicSettings topic;
    private final Map<String, String> producerProperties;
    private final String ephemeralTopic;
    private final String controlTopic;
    private final int controlTopicPartitions;
    private final String presenceTopic;
    private final Optional<String> presenceAddress;
    private final Duration presenceTimeout;
    private final Duration presenceCacheTtl;
    private final long presenceCacheMaxEntries;
    private final Duration ephemeralMinInterval;
    private final Duration ephemeralTtl;
    private final Optional<String> historyAddress;
    private final ApiConfig api;
    private final InstantSource clock;
    private final boolean systemClock;

    private RouterConfig(Builder b, KafkaTopicSettings topic) {
        this.id = b.id != null ? b.id : InstanceIds.defaultId("router");
        this.grpcPort = b.grpcPort;
        this.metricsPort = b.metricsPort;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.maxInFlight = b.maxInFlight;
        this.dedupMaxEntries = b.dedupMaxEntries;
        this.dedupTtl = b.dedupTtl;
        this.startupTimeout = b.startupTimeout;
        this.shutdownGrace = b.shutdownGrace;
        this.deliveryTimeout = b.deliveryTimeout;
        this.linger = b.linger;
        this.maxBlock = b.maxBlock;
        this.bootstrapServers = b.bootstrapServers;
        this.topic = topic;
        this.producerProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.producerProperties));
        this.ephemeralTopic = b.ephemeralTopic;
        this.controlTopic = b.controlTopic;
        this.controlTopicPartitions = b.controlTopicPartitions;
        this.presenceTopic = b.presenceTopic;
        this.presenceAddress = b.presenceAddress;
        this.presenceTimeout = b.presenceTimeout;
        this.presenceCacheTtl = b.presenceCacheTtl;
        this.presenceCacheMaxEntries = b.presenceCacheMaxEntries;
        this.ephemeralMinInterval = b.ephemeralMinInterval;
        this.ephemeralTtl = b.ephemeralTtl;
        this.historyAddress = b.historyAddress;
        this.api = b.api;
        this.clock = b.clock != null ? b.clock : InstantSource.system();
        this.systemClock = b.clock == null;
    }

    /** A builder with every value at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads {@code router.*} and {@code kafka.*} from a root config node; absent keys keep their defaults.
     * Unknown keys under {@code router} are logged as warnings.
     *
     * @throws IllegalArgumentException naming the key when a value is malformed or out of range
     */
    public static RouterConfig from(Config root) {
        return RouterConfigReader.read(root);
    }

    /**
     * Loads the configuration the way {@code RouterMain} does, highest priority first: environment variables,
     * system properties, the optional YAML {@code file}, then the classpath {@link #DEFAULTS_RESOURCE}.
     *
     * @throws IllegalArgumentException when {@code file} is not a readable file or a value is invalid
     */
    public static RouterConfig load(Optional<Path> file) {
        return from(ConfigFiles.load(file, DEFAULTS_RESOURCE));
    }

    /** Builds the Helidon config from {@code overrides} (highest priority first), the file and the defaults. */
    static Config helidonConfig(List<ConfigSource> overrides, Optional<Path> file) {
        return ConfigFiles.layered(overrides, file, DEFAULTS_RESOURCE);
    }

    /** {@code router.id}: names this router in logs, metrics and the Kafka client id. */
    public String id() {
        return id;
    }

    /** {@code router.grpc.port}: the gRPC port; 0 picks a free one. */
    public int grpcPort() {
        return grpcPort;
    }

    /** {@code router.metrics.port}: the metrics and health HTTP port; 0 picks a free one, -1 disables. */
    public int metricsPort() {
        return metricsPort;
    }

    /** {@code router.max-payload-bytes}: the largest accepted envelope payload. */
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** {@code router.max-in-flight}: how many publishes may wait for Kafka at once. */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** {@code router.dedup.max-entries}: how many (sender, id) pairs the retry cache remembers. */
    public long dedupMaxEntries() {
        return dedupMaxEntries;
    }

    /** {@code router.dedup.ttl}: how long after its first publish a (sender, id) pair is remembered. */
    public Duration dedupTtl() {
        return dedupTtl;
    }

    /** {@code router.startup-timeout}: how long start() may wait for Kafka and the topic. */
    public Duration startupTimeout() {
        return startupTimeout;
    }

    /** {@code router.shutdown-grace}: how long close() lets in-flight publishes finish. */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** {@code router.kafka.delivery-timeout}: the producer's delivery.timeout.ms. */
    public Duration deliveryTimeout() {
        return deliveryTimeout;
    }

    /** {@code router.kafka.linger}: the producer's linger.ms. */
    public Duration linger() {
        return linger;
    }

    /** {@code router.kafka.max-block}: the producer's max.block.ms, the longest a send may block its caller. */
    public Duration maxBlock() {
        return maxBlock;
    }

    /** {@code kafka.bootstrap-servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code kafka.topic.name}: the room log topic. */
    public String topic() {
        return topic.name();
    }

    /** {@code kafka.topic.partitions}: partitions when the router creates the topic. */
    public int topicPartitions() {
        return topic.partitions();
    }

    /** {@code kafka.topic.replication-factor}: replication when the router creates the topic. */
    public short topicReplicationFactor() {
        return topic.replicationFactor();
    }

    /** {@code kafka.topic.create}: whether start() creates the topic when absent. */
    public boolean topicCreate() {
        return topic.create();
    }

    /** {@code kafka.topic.min-insync-replicas}: set on the topic when the router creates it. */
    public OptionalInt topicMinInsyncReplicas() {
        return topic.minInsyncReplicas();
    }

    /** The room log topic's {@code kafka.topic.*} settings as one value. */
    public KafkaTopicSettings topicSettings() {
        return topic;
    }

    /** {@code kafka.producer.*}: extra producer properties, passed through verbatim. */
    public Map<String, String> producerProperties() {
        return producerProperties;
    }

    /** {@code kafka.ephemeral-topic.name}: the topic of ephemeral events (typing), keyed by room. */
    public String ephemeralTopic() {
        return ephemeralTopic;
    }

    /** {@code kafka.control-topic.name}: the topic of control records (direct messages, disconnects, closes). */
    public String controlTopic() {
        return controlTopic;
    }

    /** {@code kafka.control-topic.partitions}: partitions when the router creates the control topic. */
    public int controlTopicPartitions() {
        return controlTopicPartitions;
    }

    /** {@code kafka.presence-topic.name}: the presence service's topic; the router reads its user records. */
    public String presenceTopic() {
        return presenceTopic;
    }

    /**
     * {@code router.presence.address}: {@code host:port} of the presence service; empty disables SendToUser and
     * SendControl disconnects that need a lookup (they answer UNAVAILABLE).
     */
    public Optional<String> presenceAddress() {
        return presenceAddress;
    }

    /** {@code router.presence.timeout}: the longest a presence lookup may take (a shorter call deadline wins). */
    public Duration presenceTimeout() {
        return presenceTimeout;
    }

    /** {@code router.presence.cache-ttl}: how long a looked-up user presence is reused. */
    public Duration presenceCacheTtl() {
        return presenceCacheTtl;
    }

    /** {@code router.presence.cache-max-entries}: how many users' presence the lookup cache holds. */
    public long presenceCacheMaxEntries() {
        return presenceCacheMaxEntries;
    }

    /** {@code router.ephemeral.min-interval}: at most one ephemeral event per (user, room, kind) per interval. */
    public Duration ephemeralMinInterval() {
        return ephemeralMinInterval;
    }

    /** {@code router.ephemeral.ttl}: the {@code ttl_ms} written into every ephemeral record. */
    public Duration ephemeralTtl() {
        return ephemeralTtl;
    }

    /** {@code router.history.address}: {@code host:port} of the history service, for the public API's reads. */
    public Optional<String> historyAddress() {
        return historyAddress;
    }

    /** {@code router.api.*}: the public {@code SwitchboardApi} this router serves on its gRPC port when enabled. */
    public ApiConfig api() {
        return api;
    }

    /** The clock for record timestamps, received times and (when not the system clock) dedup expiry. */
    public InstantSource clock() {
        return clock;
    }

    /** Whether {@link #clock()} is the system clock (then dedup expiry uses the monotonic ticker). */
    boolean systemClock() {
        return systemClock;
    }

    @Override
    public String toString() {
        return "RouterConfig{id=" + id + ", grpcPort=" + grpcPort + ", metricsPort=" + metricsPort
                + ", maxPayloadBytes=" + maxPayloadBytes + ", maxInFlight=" + maxInFlight
                + ", dedupMaxEntries=" + dedupMaxEntries + ", dedupTtl=" + dedupTtl
                + ", startupTimeout=" + startupTimeout + ", shutdownGrace=" + shutdownGrace
                + ", deliveryTimeout=" + deliveryTimeout + ", linger=" + linger + ", maxBlock=" + maxBlock
                + ", bootstrapServers=" + bootstrapServers + ", topic=" + topic.name()
                + ", topicPartitions=" + topic.partitions() + ", topicReplicationFactor=" + topic.replicationFactor()
                + ", topicCreate=" + topic.create() + ", topicMinInsyncReplicas=" + topic.minInsyncReplicas()
                + ", producerProperties=" + producerProperties.keySet() + ", ephemeralTopic=" + ephemeralTopic
                + ", controlTopic=" + controlTopic + ", controlTopicPartitions=" + controlTopicPartitions
                + ", presenceTopic=" + presenceTopic + ", presenceAddress=" + presenceAddress.orElse("-")
                + ", presenceTimeout=" + presenceTimeout + ", presenceCacheTtl=" + presenceCacheTtl
                + ", presenceCacheMaxEntries=" + presenceCacheMaxEntries
                + ", ephemeralMinInterval=" + ephemeralMinInterval + ", ephemeralTtl=" + ephemeralTtl
                + ", historyAddress=" + historyAddress.orElse("-") + "}";
    }

    private static Map<String, String> ownedProducerProperties() {
        Map<String, String> owned = new LinkedHashMap<>();
        owned.put("bootstrap.servers", "set kafka.bootstrap-servers");
        owned.put("key.serializer", "the router writes room names as keys");
        owned.put("value.serializer", "the router writes envelopes as values");
        owned.put("enable.idempotence", "the router requires the idempotent producer");
        owned.put("acks", "the router requires acks=all");
        owned.put("transactional.id", "the router does not use transactions");
        owned.put("partitioner.class", "rooms map to partitions by the default key hash");
        owned.put("partitioner.ignore.keys", "rooms map to partitions by the default key hash");
        owned.put("delivery.timeout.ms", "set router.kafka.delivery-timeout");
        owned.put("linger.ms", "set router.kafka.linger");
        owned.put("max.block.ms", "set router.kafka.max-block");
        return Collections.unmodifiableMap(owned);
    }

    /** Producer property keys that {@code kafka.producer.*} may not set. */
    static Set<String> ownedProducerPropertyKeys() {
        return OWNED_PRODUCER_PROPERTIES.keySet();
    }

    /**
     * Builds a {@link RouterConfig}. Setters reject bad values at once; {@link #build()} checks rules that
     * span values. Not thread-safe.
     */
    public static final class Builder {
        private String id;
        private int grpcPort = 7070;
        private int metricsPort = 9091;
        private int maxPayloadBytes = 65_536;
        private int maxInFlight = 10_000;
        private long dedupMaxEntries = 200_000;
        private Duration dedupTtl = Duration.ofMinutes(10);
        private Duration startupTimeout = Duration.ofSeconds(30);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private Duration deliveryTimeout = Duration.ofSeconds(30);
        private Duration linger = Duration.ofMillis(2);
        private Duration maxBlock = Duration.ofSeconds(1);
        private String bootstrapServers = KafkaClientSettings.DEFAULT_BOOTSTRAP_SERVERS;
        private final KafkaTopicSettings.Builder topic =
                KafkaTopicSettings.builder("kafka.topic", "switchboard.rooms", 12, Integer.MAX_VALUE);
        private final Map<String, String> producerProperties = new LinkedHashMap<>();
        private String ephemeralTopic = "switchboard.ephemeral";
        private String controlTopic = "switchboard.control";
        private int controlTopicPartitions = 4;
        private String presenceTopic = "switchboard.presence";
        private Optional<String> presenceAddress = Optional.empty();
        private Duration presenceTimeout = Duration.ofSeconds(2);
        private Duration presenceCacheTtl = Duration.ofSeconds(10);
        private long presenceCacheMaxEntries = 100_000;
        private Duration ephemeralMinInterval = Duration.ofSeconds(1);
        private Duration ephemeralTtl = Duration.ofSeconds(6);
        private Optional<String> historyAddress = Optional.empty();
        private ApiConfig api = ApiConfig.defaults();
        private InstantSource clock;

        private Builder() {
        }

        /** {@code router.id}; defaults to the host name. */
        public Builder id(String id) {
            Objects.requireNonNull(id, "id");
            this.id = InstanceIds.check("router.id", id);
            return this;
        }

        /** {@code router.grpc.port}, default 7070; 0 picks a free port. */
        public Builder grpcPort(int port) {
            check(port >= 0 && port <= 65_535, "router.grpc.port", port, "0-65535");
            this.grpcPort = port;
            return this;
        }

        /** {@code router.metrics.port}, default 9091; 0 picks a free port, -1 disables the HTTP endpoint. */
        public Builder metricsPort(int port) {
            check(port >= -1 && port <= 65_535, "router.metrics.port", port, "-1-65535");
            this.metricsPort = port;
            return this;
        }

        /** {@code router.max-payload-bytes}, default 65536. */
        public Builder maxPayloadBytes(int bytes) {
            check(bytes > 0 && bytes <= MAX_PAYLOAD_LIMIT, "router.max-payload-bytes", bytes,
                    "1-" + MAX_PAYLOAD_LIMIT);
            this.maxPayloadBytes = bytes;
            return this;
        }

        /** {@code router.max-in-flight}, default 10000. */
        public Builder maxInFlight(int publishes) {
            check(publishes > 0, "router.max-in-flight", publishes, "> 0");
            this.maxInFlight = publishes;
            return this;
        }

        /** {@code router.dedup.max-entries}, default 200000. */
        public Builder dedupMaxEntries(long entries) {
            check(entries > 0, "router.dedup.max-entries", entries, "> 0");
            this.dedupMaxEntries = entries;
            return this;
        }

        /** {@code router.dedup.ttl}, default PT10M. */
        public Builder dedupTtl(Duration ttl) {
            this.dedupTtl = positive("router.dedup.ttl", ttl);
            return this;
        }

        /** {@code router.startup-timeout}, default PT30S. */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = positive("router.startup-timeout", timeout);
            return this;
        }

        /** {@code router.shutdown-grace}, default PT10S. */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = ConfigChecks.nonNegative("router.shutdown-grace", grace);
            return this;
        }

        /** {@code router.kafka.delivery-timeout}, default PT30S. */
        public Builder deliveryTimeout(Duration timeout) {
            positive("router.kafka.delivery-timeout", timeout);
            check(timeout.toMillis() <= Integer.MAX_VALUE, "router.kafka.delivery-timeout", timeout,
                    "<= " + Duration.ofMillis(Integer.MAX_VALUE));
            this.deliveryTimeout = timeout;
            return this;
        }

        /** {@code router.kafka.linger}, default PT0.002S. */
        public Builder linger(Duration linger) {
            Objects.requireNonNull(linger, "router.kafka.linger");
            check(!linger.isNegative() && linger.toMillis() <= 1_000, "router.kafka.linger", linger,
                    "PT0S-PT1S");
            this.linger = linger;
            return this;
        }

        /** {@code router.kafka.max-block}, default PT1S. */
        public Builder maxBlock(Duration maxBlock) {
            positive("router.kafka.max-block", maxBlock);
            check(maxBlock.toMillis() <= Integer.MAX_VALUE, "router.kafka.max-block", maxBlock,
                    "<= " + Duration.ofMillis(Integer.MAX_VALUE));
            this.maxBlock = maxBlock;
            return this;
        }

        /** {@code kafka.bootstrap-servers}, default {@code 127.0.0.1:9092}. */
        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = KafkaClientSettings.bootstrapServers(servers);
            return this;
        }

        /** {@code kafka.topic.name}, default {@code switchboard.rooms}. */
        public Builder topic(String topic) {
            this.topic.name(topic);
            return this;
        }

        /** {@code kafka.topic.partitions}, default 12. */
        public Builder topicPartitions(int partitions) {
            topic.partitions(partitions);
            return this;
        }

        /** {@code kafka.topic.replication-factor}, default 1. */
        public Builder topicReplicationFactor(int replicas) {
            topic.replicationFactor(replicas);
            return this;
        }

        /** {@code kafka.topic.create}, default true. */
        public Builder topicCreate(boolean create) {
            topic.create(create);
            return this;
        }

        /** {@code kafka.ephemeral-topic.name}, default {@code switchboard.ephemeral}. */
        public Builder ephemeralTopic(String topic) {
            this.ephemeralTopic = KafkaTopicSettings.checkName("kafka.ephemeral-topic.name", topic);
            return this;
        }

        /** {@code kafka.control-topic.name}, default {@code switchboard.control}. */
        public Builder controlTopic(String topic) {
            this.controlTopic = KafkaTopicSettings.checkName("kafka.control-topic.name", topic);
            return this;
        }

        /** {@code kafka.control-topic.partitions}, default 4. */
        public Builder controlTopicPartitions(int partitions) {
            check(partitions > 0, "kafka.control-topic.partitions", partitions, "> 0");
            this.controlTopicPartitions = partitions;
            return this;
        }

        /** {@code kafka.presence-topic.name}, default {@code switchboard.presence}. */
        public Builder presenceTopic(String topic) {
            this.presenceTopic = KafkaTopicSettings.checkName("kafka.presence-topic.name", topic);
            return this;
        }

        /** {@code router.presence.address} ({@code host:port}), default unset (presence lookups disabled). */
        public Builder presenceAddress(String address) {
            this.presenceAddress = Optional.of(hostPort("router.presence.address", address));
            return this;
        }

        /** {@code router.presence.timeout}, default PT2S. */
        public Builder presenceTimeout(Duration timeout) {
            this.presenceTimeout = positive("router.presence.timeout", timeout);
            return this;
        }

        /** {@code router.presence.cache-ttl}, default PT10S. */
        public Builder presenceCacheTtl(Duration ttl) {
            this.presenceCacheTtl = positive("router.presence.cache-ttl", ttl);
            return this;
        }

        /** {@code router.presence.cache-max-entries}, default 100000. */
        public Builder presenceCacheMaxEntries(long entries) {
            check(entries > 0, "router.presence.cache-max-entries", entries, "> 0");
            this.presenceCacheMaxEntries = entries;
            return this;
        }

        /** {@code router.ephemeral.min-interval}, default PT1S; PT0S turns throttling off. */
        public Builder ephemeralMinInterval(Duration interval) {
            this.ephemeralMinInterval = ConfigChecks.nonNegative("router.ephemeral.min-interval", interval);
            return this;
        }

        /** {@code router.ephemeral.ttl}, default PT6S. */
        public Builder ephemeralTtl(Duration ttl) {
            positive("router.ephemeral.ttl", ttl);
            check(ttl.compareTo(MAX_EPHEMERAL_TTL) <= 0, "router.ephemeral.ttl", ttl, "<= " + MAX_EPHEMERAL_TTL);
            this.ephemeralTtl = ttl;
            return this;
        }

        /** {@code router.api.*}, default {@link ApiConfig#defaults()} (disabled). */
        public Builder api(ApiConfig api) {
            this.api = Objects.requireNonNull(api, "router.api");
            return this;
        }

        /** {@code router.history.address} ({@code host:port}), default unset. */
        public Builder historyAddress(String address) {
            this.historyAddress = Optional.of(hostPort("router.history.address", address));
            return this;
        }

        /** {@code kafka.topic.min-insync-replicas}, default unset (the broker's default applies). */
        public Builder topicMinInsyncReplicas(int replicas) {
            topic.minInsyncReplicas(replicas);
            return this;
        }

        /**
         * One {@code kafka.producer.*} property, passed to the producer verbatim. Properties the router owns
         * (idempotence, acks, serializers, partitioning and those with typed keys) are rejected.
         */
        public Builder producerProperty(String key, String value) {
            KafkaClientSettings.checkPassthrough("kafka.producer", key, value, OWNED_PRODUCER_PROPERTIES);
            if (key.equals("max.in.flight.requests.per.connection")) {
                int n = parseInt("kafka.producer." + key, value);
                // More than 5 would let the idempotent producer reorder a room's records on retry.
                check(n >= 1 && n <= 5, "kafka.producer." + key, value, "1-5");
            }
            producerProperties.put(key, value);
            return this;
        }

        /** Several {@code kafka.producer.*} properties; see {@link #producerProperty(String, String)}. */
        public Builder producerProperties(Map<String, String> properties) {
            properties.forEach(this::producerProperty);
            return this;
        }

        /** The clock for record timestamps, received times and dedup expiry; default the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Checks the rules spanning several values and builds the configuration. */
        public RouterConfig build() {
            KafkaTopicSettings rooms = topic.build();
            check(deliveryTimeout.compareTo(linger) > 0, "router.kafka.delivery-timeout", deliveryTimeout,
                    "> router.kafka.linger " + linger);
            // A remembered id must outlive its own send, or a retry during a slow send would publish twice.
            check(dedupTtl.compareTo(deliveryTimeout) > 0, "router.dedup.ttl", dedupTtl,
                    "> router.kafka.delivery-timeout " + deliveryTimeout);
            // The three topics the router writes must be distinct: their consumers parse different messages.
            String topic = rooms.name();
            check(!ephemeralTopic.equals(topic) && !controlTopic.equals(topic) && !controlTopic.equals(ephemeralTopic)
                            && !presenceTopic.equals(topic) && !presenceTopic.equals(ephemeralTopic)
                            && !presenceTopic.equals(controlTopic),
                    "kafka.*-topic.name", List.of(topic, ephemeralTopic, controlTopic, presenceTopic), "distinct names");
            return new RouterConfig(this, rooms);
        }

        /** The room log topic's settings, for the reader. */
        KafkaTopicSettings.Builder topicSettings() {
            return topic;
        }

        /** Checks {@code host:port} (IPv6 literals in brackets) and returns it stripped. */
        private static String hostPort(String key, String address) {
            Objects.requireNonNull(address, key);
            String s = address.strip();
            int colon = s.lastIndexOf(':');
            boolean ok = colon > 0 && colon < s.length() - 1 && !s.substring(0, colon).isBlank()
                    && s.substring(colon + 1).chars().allMatch(Character::isDigit) && s.length() - colon <= 6
                    && Integer.parseInt(s.substring(colon + 1)) >= 1 && Integer.parseInt(s.substring(colon + 1)) <= 65_535;
            check(ok, key, "'" + address + "'", "host:port");
            return s;
        }

        private static int parseInt(String key, String value) {
            try {
                return Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": '" + value + "' (expected: an integer)", e);
            }
        }
    }
}
