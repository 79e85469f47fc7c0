package io.switchboard.presence;

import static io.switchboard.service.ConfigChecks.check;

import io.helidon.config.Config;
import io.helidon.config.spi.ConfigSource;
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

/**
 * The presence service's configuration: immutable and validated when built, hence thread-safe.
 *
 * <p>Built from Helidon {@link Config} ({@link #from(Config)}: keys {@code presence.*} plus the shared
 * {@code kafka.*} section) or programmatically ({@link #builder()}). Error messages name the key, in the form
 * {@code "presence.lease-ttl: PT0S (expected: PT0.03S-PT1H)"}. The catalogue of keys with their defaults is
 * {@code docs/configuration.md} (presence section) and {@code presence-defaults.yaml}.
 */
public final class PresenceConfig {
    /** The classpath resource holding the defaults, lowest priority of all sources. */
    public static final String DEFAULTS_RESOURCE = "presence-defaults.yaml";

    /** Producer properties the service owns; {@code kafka.producer.*} may not set them. */
    private static final Map<String, String> OWNED_PRODUCER_PROPERTIES = owned("bootstrap.servers",
            "key.serializer", "value.serializer", "enable.idempotence", "acks", "transactional.id");
    private static final Duration MIN_LEASE = Duration.ofMillis(30);
    private static final Duration MAX_LEASE = Duration.ofHours(1);

    private final String id;
    private final int grpcPort;
    private final int metricsPort;
    private final Duration leaseTtl;
    private final Duration deltaInterval;
    private final Duration leaveGrace;
    private final int largeRoomThreshold;
    private final int maxDeltaMembers;
    private final int maxMessageBytes;
    private final Duration startupTimeout;
    private final Duration shutdownGrace;
    private final String bootstrapServers;
    private final KafkaTopicSettings topic;
    private final Map<String, String> producerProperties;
    private final InstantSource clock;

    private PresenceConfig(Builder b, KafkaTopicSettings topic) {
        this.id = b.id != null ? b.id : InstanceIds.defaultId("presence");
        this.grpcPort = b.grpcPort;
        this.metricsPort = b.metricsPort;
        this.leaseTtl = b.leaseTtl;
        this.deltaInterval = b.deltaInterval;
        this.leaveGrace = b.leaveGrace;
        this.largeRoomThreshold = b.largeRoomThreshold;
        this.maxDeltaMembers = b.maxDeltaMembers;
        this.maxMessageBytes = b.maxMessageBytes;
        this.startupTimeout = b.startupTimeout;
        this.shutdownGrace = b.shutdownGrace;
        this.bootstrapServers = b.bootstrapServers;
        this.topic = topic;
        this.producerProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.producerProperties));
        this.clock = b.clock;
    }

    /** A builder with every value at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads {@code presence.*} and {@code kafka.*}; absent keys keep their defaults. Unknown keys under
     * {@code presence} are logged as warnings.
     *
     * @throws IllegalArgumentException naming the key when a value is malformed or out of range
     */
    public static PresenceConfig from(Config root) {
        return PresenceConfigReader.read(root);
    }

    /**
     * Loads the configuration the way {@code PresenceMain} does, highest priority first: environment variables,
     * system properties, the optional YAML {@code file}, then the classpath {@link #DEFAULTS_RESOURCE}.
     *
     * @throws IllegalArgumentException when {@code file} is not a readable file or a value is invalid
     */
    public static PresenceConfig load(Optional<Path> file) {
        return from(ConfigFiles.load(file, DEFAULTS_RESOURCE));
    }

    /** Builds the Helidon config from {@code overrides} (highest priority first), the file and the defaults. */
    static Config helidonConfig(List<ConfigSource> overrides, Optional<Path> file) {
        return ConfigFiles.layered(overrides, file, DEFAULTS_RESOURCE);
    }

    /** {@code presence.id}: names this instance in logs and the Kafka client id. */
    public String id() {
        return id;
    }

    /** {@code presence.grpc.port}; 0 picks a free one. */
    public int grpcPort() {
        return grpcPort;
    }

    /** {@code presence.metrics.port}; 0 picks a free one, -1 disables. */
    public int metricsPort() {
        return metricsPort;
    }

    /** {@code presence.lease-ttl}: how long a gateway's state lives without a Report or Sync. */
    public Duration leaseTtl() {
        return leaseTtl;
    }

    /** {@code presence.delta-interval}: how often changed rooms and users are written to the presence topic. */
    public Duration deltaInterval() {
        return deltaInterval;
    }

    /**
     * {@code presence.leave-grace}: how long a user whose connection closed (a reload, a network switch, a drained
     * or restarted gateway) stays a member of its rooms; a new connection within it continues without a change.
     */
    public Duration leaveGrace() {
        return leaveGrace;
    }

    /**
     * How long after its start the service collects the gateways' Syncs before it writes records and answers
     * member pages: half a lease, enough for every gateway to report (each does within a third of it).
     */
    public Duration warmUp() {
        return leaseTtl.dividedBy(2);
    }

    /** {@code presence.large-room-threshold}: rooms with more users get summary records. */
    public int largeRoomThreshold() {
        return largeRoomThreshold;
    }

    /** {@code presence.max-delta-members}: a room delta with more changed members becomes a summary. */
    public int maxDeltaMembers() {
        return maxDeltaMembers;
    }

    /** {@code presence.max-message-bytes}: the largest gRPC request accepted (a Sync carries a whole gateway). */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** How often the lease reaper runs: a tenth of the lease, between 10 ms and 1 s. */
    public Duration reapInterval() {
        Duration tenth = leaseTtl.dividedBy(10);
        Duration floor = Duration.ofMillis(10);
        Duration ceiling = Duration.ofSeconds(1);
        return tenth.compareTo(floor) < 0 ? floor : tenth.compareTo(ceiling) > 0 ? ceiling : tenth;
    }

    /** {@code presence.startup-timeout}: how long startup waits for Kafka to create the topic. */
    public Duration startupTimeout() {
        return startupTimeout;
    }

    /** {@code presence.shutdown-grace}: how long close() lets running calls finish. */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** {@code kafka.bootstrap-servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code kafka.presence-topic.name}. */
    public String topic() {
        return topic.name();
    }

    /** {@code kafka.presence-topic.partitions}. */
    public int topicPartitions() {
        return topic.partitions();
    }

    /** {@code kafka.topic.replication-factor} (shared with the rooms topic). */
    public short topicReplicationFactor() {
        return topic.replicationFactor();
    }

    /** {@code kafka.topic.min-insync-replicas} (shared); empty leaves the broker default. */
    public OptionalInt topicMinInsyncReplicas() {
        return topic.minInsyncReplicas();
    }

    /** {@code kafka.topic.create} (shared): create the presence topic when absent. */
    public boolean topicCreate() {
        return topic.create();
    }

    /** The presence topic's {@code kafka.*} settings as one value. */
    public KafkaTopicSettings topicSettings() {
        return topic;
    }

    /** {@code kafka.producer.*}: extra producer properties, passed through verbatim. */
    public Map<String, String> producerProperties() {
        return producerProperties;
    }

    /** The clock leases run on. */
    public InstantSource clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "PresenceConfig{id=" + id + ", grpcPort=" + grpcPort + ", metricsPort=" + metricsPort
                + ", leaseTtl=" + leaseTtl + ", deltaInterval=" + deltaInterval + ", leaveGrace=" + leaveGrace
                + ", largeRoomThreshold=" + largeRoomThreshold + ", maxDeltaMembers=" + maxDeltaMembers
                + ", maxMessageBytes=" + maxMessageBytes + ", startupTimeout=" + startupTimeout
                + ", shutdownGrace=" + shutdownGrace + ", bootstrapServers=" + bootstrapServers + ", topic=" + topic.name()
                + ", topicPartitions=" + topic.partitions() + ", topicReplicationFactor=" + topic.replicationFactor()
                + ", topicMinInsyncReplicas=" + topic.minInsyncReplicas() + ", topicCreate=" + topic.create()
                + ", producerProperties=" + producerProperties.keySet() + "}";
    }

    private static Map<String, String> owned(String... keys) {
        Map<String, String> owned = new LinkedHashMap<>();
        for (String key : keys) {
            owned.put(key, "the presence service owns it");
        }
        return Collections.unmodifiableMap(owned);
    }

    /** Builds a {@link PresenceConfig}; setters reject bad values at once, build() checks cross-field rules. Not thread-safe. */
    public static final class Builder {
        private String id;
        private int grpcPort = 7090;
        private int metricsPort = 9093;
        private Duration leaseTtl = Duration.ofSeconds(5);
        private Duration deltaInterval = Duration.ofMillis(500);
        private Duration leaveGrace = Duration.ofSeconds(10);
        private int largeRoomThreshold = 100;
        private int maxDeltaMembers = 50;
        private int maxMessageBytes = 64 * 1024 * 1024;
        private Duration startupTimeout = Duration.ofSeconds(30);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private String bootstrapServers = KafkaClientSettings.DEFAULT_BOOTSTRAP_SERVERS;
        private final KafkaTopicSettings.Builder topic =
                KafkaTopicSettings.builder("kafka.presence-topic", "switchboard.presence", 4, 10_000);
        private final Map<String, String> producerProperties = new LinkedHashMap<>();
        private InstantSource clock = InstantSource.system();

        private Builder() {
        }

        /** {@code presence.id}; defaults to the host name. */
        public Builder id(String id) {
            Objects.requireNonNull(id, "presence.id");
            this.id = InstanceIds.check("presence.id", id);
            return this;
        }

        /** {@code presence.grpc.port}, default 7090; 0 picks a free port. */
        public Builder grpcPort(int port) {
            check(port >= 0 && port <= 65_535, "presence.grpc.port", port, "0-65535");
            this.grpcPort = port;
            return this;
        }

        /** {@code presence.metrics.port}, default 9093; 0 picks a free port, -1 disables. */
        public Builder metricsPort(int port) {
            check(port >= -1 && port <= 65_535, "presence.metrics.port", port, "-1-65535");
            this.metricsPort = port;
            return this;
        }

        /** {@code presence.lease-ttl}, default PT5S, PT0.03S-PT1H. */
        public Builder leaseTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "presence.lease-ttl");
            check(ttl.compareTo(MIN_LEASE) >= 0 && ttl.compareTo(MAX_LEASE) <= 0, "presence.lease-ttl", ttl,
                    MIN_LEASE + "-" + MAX_LEASE);
            this.leaseTtl = ttl;
            return this;
        }

        /** {@code presence.delta-interval}, default PT0.5S, PT0.01S-PT1M. */
        public Builder deltaInterval(Duration interval) {
            Objects.requireNonNull(interval, "presence.delta-interval");
            check(interval.compareTo(Duration.ofMillis(10)) >= 0 && interval.compareTo(Duration.ofMinutes(1)) <= 0,
                    "presence.delta-interval", interval, "PT0.01S-PT1M");
            this.deltaInterval = interval;
            return this;
        }

        /** {@code presence.leave-grace}, default PT10S, PT0S (none)-PT1H. */
        public Builder leaveGrace(Duration grace) {
            Objects.requireNonNull(grace, "presence.leave-grace");
            check(!grace.isNegative() && grace.compareTo(Duration.ofHours(1)) <= 0, "presence.leave-grace", grace,
                    "PT0S-PT1H");
            this.leaveGrace = grace;
            return this;
        }

        /** {@code presence.large-room-threshold}, default 100; 0 makes every room record a summary. */
        public Builder largeRoomThreshold(int users) {
            check(users >= 0, "presence.large-room-threshold", users, ">= 0");
            this.largeRoomThreshold = users;
            return this;
        }

        /** {@code presence.max-delta-members}, default 50; 0 makes every room record a summary. */
        public Builder maxDeltaMembers(int members) {
            check(members >= 0, "presence.max-delta-members", members, ">= 0");
            this.maxDeltaMembers = members;
            return this;
        }

        /** {@code presence.max-message-bytes}, default 64 MiB, at least 1 MiB. */
        public Builder maxMessageBytes(int bytes) {
            check(bytes >= 1024 * 1024, "presence.max-message-bytes", bytes, ">= 1048576");
            this.maxMessageBytes = bytes;
            return this;
        }

        /** {@code presence.startup-timeout}, default PT30S. */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = ConfigChecks.positive("presence.startup-timeout", timeout);
            return this;
        }

        /** {@code presence.shutdown-grace}, default PT10S. */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = ConfigChecks.nonNegative("presence.shutdown-grace", grace);
            return this;
        }

        /** {@code kafka.bootstrap-servers}, default {@code 127.0.0.1:9092}. */
        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = KafkaClientSettings.bootstrapServers(servers);
            return this;
        }

        /** {@code kafka.presence-topic.name}, default {@code switchboard.presence}. */
        public Builder topic(String topic) {
            this.topic.name(topic);
            return this;
        }

        /** {@code kafka.presence-topic.partitions}, default 4. */
        public Builder topicPartitions(int partitions) {
            topic.partitions(partitions);
            return this;
        }

        /** {@code kafka.topic.replication-factor}, default 1. */
        public Builder topicReplicationFactor(int factor) {
            topic.replicationFactor(factor);
            return this;
        }

        /** {@code kafka.topic.min-insync-replicas}; unset = the broker default. */
        public Builder topicMinInsyncReplicas(int min) {
            topic.minInsyncReplicas(min);
            return this;
        }

        /** {@code kafka.topic.create}, default true. */
        public Builder topicCreate(boolean create) {
            topic.create(create);
            return this;
        }

        /** One {@code kafka.producer.*} property; those the service owns are rejected. */
        public Builder producerProperty(String key, String value) {
            KafkaClientSettings.checkPassthrough("kafka.producer", key, value, OWNED_PRODUCER_PROPERTIES);
            producerProperties.put(key, value);
            return this;
        }

        /** The clock leases run on; default the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @throws IllegalArgumentException when {@code kafka.topic.min-insync-replicas} exceeds the replication
         *                                  factor
         */
        public PresenceConfig build() {
            return new PresenceConfig(this, topic.build());
        }

        /** The presence topic's settings, for the reader. */
        KafkaTopicSettings.Builder topicSettings() {
            return topic;
        }
    }
}
