package io.switchboard.history;

import static io.switchboard.service.ConfigChecks.check;
import static io.switchboard.service.ConfigChecks.positive;

import io.helidon.config.Config;
import io.helidon.config.spi.ConfigSource;
import io.switchboard.proto.Names;
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

/**
 * The history service's configuration: immutable and validated when built, hence thread-safe.
 *
 * <p>Built from Helidon {@link Config} ({@link #from(Config)}: keys {@code history.*} plus the shared
 * {@code kafka.*} section) or programmatically ({@link #builder()}). Error messages name the key, in the form
 * {@code "history.max-read-messages: 0 (expected: 1-1000)"}. The catalogue of keys with their defaults is
 * {@code docs/configuration.md} (history section) and {@code history-defaults.yaml}.
 */
public final class HistoryConfig {
    /** The classpath resource holding the defaults, lowest priority of all sources. */
    public static final String DEFAULTS_RESOURCE = "history-defaults.yaml";
    /** The most messages one Read may ask for (history.proto: limit 1-1000). */
    public static final int READ_LIMIT = 1000;

    /** Consumer properties the service owns; {@code kafka.consumer.*} may not set them. */
    private static final Map<String, String> OWNED_CONSUMER_PROPERTIES = owned("bootstrap.servers", "group.id",
            "enable.auto.commit", "key.deserializer", "value.deserializer", "auto.offset.reset");

    private final String id;
    private final int grpcPort;
    private final int metricsPort;
    private final Path dataDir;
    private final String groupId;
    private final RetentionPolicy retention;
    private final Map<String, RetentionPolicy> namespaceRetention;
    private final Duration sweepInterval;
    private final int maxReadMessages;
    private final Duration maxReadWait;
    private final Duration startupTimeout;
    private final Duration shutdownGrace;
    private final String bootstrapServers;
    private final String topic;
    private final Map<String, String> consumerProperties;
    private final InstantSource clock;

    private HistoryConfig(Builder b) {
        this.id = b.id != null ? b.id : InstanceIds.defaultId("history");
        this.grpcPort = b.grpcPort;
        this.metricsPort = b.metricsPort;
        this.dataDir = b.dataDir;
        this.groupId = b.groupId;
        this.retention = new RetentionPolicy(b.maxAge, b.maxMessages);
        Map<String, RetentionPolicy> ns = new LinkedHashMap<>();
        b.namespaceMaxAge.keySet().forEach(n -> ns.put(n, null));
        b.namespaceMaxMessages.keySet().forEach(n -> ns.put(n, null));
        ns.replaceAll((n, ignored) -> new RetentionPolicy(b.namespaceMaxAge.getOrDefault(n, b.maxAge),
                b.namespaceMaxMessages.getOrDefault(n, b.maxMessages)));
        this.namespaceRetention = Collections.unmodifiableMap(ns);
        this.sweepInterval = b.sweepInterval;
        this.maxReadMessages = b.maxReadMessages;
        this.maxReadWait = b.maxReadWait;
        this.startupTimeout = b.startupTimeout;
        this.shutdownGrace = b.shutdownGrace;
        this.bootstrapServers = b.bootstrapServers;
        this.topic = b.topic;
        this.consumerProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.consumerProperties));
        this.clock = b.clock;
    }

    /** A builder with every value at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads {@code history.*} and {@code kafka.*}; absent keys keep their defaults. Unknown keys under
     * {@code history} are logged as warnings.
     *
     * @throws IllegalArgumentException naming the key when a value is malformed or out of range
     */
    public static HistoryConfig from(Config root) {
        return HistoryConfigReader.read(root);
    }

    /**
     * Loads the configuration the way {@code HistoryMain} does, highest priority first: environment variables,
     * system properties, the optional YAML {@code file}, then the classpath {@link #DEFAULTS_RESOURCE}.
     *
     * @throws IllegalArgumentException when {@code file} is not a readable file or a value is invalid
     */
    public static HistoryConfig load(Optional<Path> file) {
        return from(ConfigFiles.load(file, DEFAULTS_RESOURCE));
    }

    /** Builds the Helidon config from {@code overrides} (highest priority first), the file and the defaults. */
    static Config helidonConfig(List<ConfigSource> overrides, Optional<Path> file) {
        return ConfigFiles.layered(overrides, file, DEFAULTS_RESOURCE);
    }

    /** {@code history.id}: names this instance in logs and the Kafka client id. */
    public String id() {
        return id;
    }

    /** {@code history.grpc.port}; 0 picks a free one. */
    public int grpcPort() {
        return grpcPort;
    }

    /** {@code history.metrics.port}; 0 picks a free one, -1 disables. */
    public int metricsPort() {
        return metricsPort;
    }

    /** {@code history.data-dir}: the RocksDB directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** {@code history.group-id}: the consumer group under which ingest offsets are committed (for lag monitoring). */
    public String groupId() {
        return groupId;
    }

    /** {@code history.retention.max-age} / {@code max-messages}: the default retention. */
    public RetentionPolicy retention() {
        return retention;
    }

    /** Per-namespace overrides ({@code history.retention.namespaces.<ns>.*}). */
    public Map<String, RetentionPolicy> namespaceRetention() {
        return namespaceRetention;
    }

    /** The retention of {@code room}: its namespace's override, else the default. */
    public RetentionPolicy retentionFor(String room) {
        return namespaceRetention.getOrDefault(Names.namespace(room), retention);
    }

    /** {@code history.retention.sweep-interval}. */
    public Duration sweepInterval() {
        return sweepInterval;
    }

    /** {@code history.max-read-messages}: the largest accepted {@code limit}. */
    public int maxReadMessages() {
        return maxReadMessages;
    }

    /** {@code history.max-read-wait}: the longest a Read with {@code until} waits when its call has no deadline. */
    public Duration maxReadWait() {
        return maxReadWait;
    }

    /** {@code history.startup-timeout}: how long start() waits for Kafka and the topic. */
    public Duration startupTimeout() {
        return startupTimeout;
    }

    /** {@code history.shutdown-grace}: how long close() lets running reads finish. */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** {@code kafka.bootstrap-servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** {@code kafka.topic.name}. */
    public String topic() {
        return topic;
    }

    /** {@code kafka.consumer.*}: extra consumer properties, passed through verbatim. */
    public Map<String, String> consumerProperties() {
        return consumerProperties;
    }

    /** The clock retention measures age with. */
    public InstantSource clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "HistoryConfig{id=" + id + ", grpcPort=" + grpcPort + ", metricsPort=" + metricsPort
                + ", dataDir=" + dataDir + ", groupId=" + groupId + ", retention=" + retention
                + ", namespaceRetention=" + namespaceRetention + ", sweepInterval=" + sweepInterval
                + ", maxReadMessages=" + maxReadMessages + ", maxReadWait=" + maxReadWait
                + ", startupTimeout=" + startupTimeout + ", shutdownGrace=" + shutdownGrace
                + ", bootstrapServers=" + bootstrapServers + ", topic=" + topic
                + ", consumerProperties=" + consumerProperties.keySet() + "}";
    }

    private static Map<String, String> owned(String... keys) {
        Map<String, String> owned = new LinkedHashMap<>();
        for (String key : keys) {
            owned.put(key, "the history service owns it");
        }
        return Collections.unmodifiableMap(owned);
    }

    /** Builds a {@link HistoryConfig}; setters reject bad values at once. Not thread-safe. */
    public static final class Builder {
        private String id;
        private int grpcPort = 7080;
        private int metricsPort = 9092;
        private Path dataDir = Path.of("data", "history");
        private String groupId = "switchboard-history";
        private Duration maxAge = Duration.ofDays(7);
        private long maxMessages = 10_000;
        private final Map<String, Duration> namespaceMaxAge = new LinkedHashMap<>();
        private final Map<String, Long> namespaceMaxMessages = new LinkedHashMap<>();
        private Duration sweepInterval = Duration.ofMinutes(1);
        private int maxReadMessages = READ_LIMIT;
        private Duration maxReadWait = Duration.ofSeconds(30);
        private Duration startupTimeout = Duration.ofSeconds(30);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private String bootstrapServers = KafkaClientSettings.DEFAULT_BOOTSTRAP_SERVERS;
        private String topic = "switchboard.rooms";
        private final Map<String, String> consumerProperties = new LinkedHashMap<>();
        private InstantSource clock = InstantSource.system();

        private Builder() {
        }

        /** {@code history.id}; defaults to the host name. */
        public Builder id(String id) {
            Objects.requireNonNull(id, "history.id");
            this.id = InstanceIds.check("history.id", id);
            return this;
        }

        /** {@code history.grpc.port}, default 7080; 0 picks a free port. */
        public Builder grpcPort(int port) {
            check(port >= 0 && port <= 65_535, "history.grpc.port", port, "0-65535");
            this.grpcPort = port;
            return this;
        }

        /** {@code history.metrics.port}, default 9092; 0 picks a free port, -1 disables. */
        public Builder metricsPort(int port) {
            check(port >= -1 && port <= 65_535, "history.metrics.port", port, "-1-65535");
            this.metricsPort = port;
            return this;
        }

        /** {@code history.data-dir}, default {@code ./data/history}. */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "history.data-dir");
            return this;
        }

        /** {@code history.group-id}, default {@code switchboard-history}. */
        public Builder groupId(String groupId) {
            Objects.requireNonNull(groupId, "history.group-id");
            check(!groupId.isBlank(), "history.group-id", "'" + groupId + "'", "not blank");
            this.groupId = groupId;
            return this;
        }

        /** {@code history.retention.max-age}, default P7D. */
        public Builder maxAge(Duration maxAge) {
            this.maxAge = positive("history.retention.max-age", maxAge);
            return this;
        }

        /** {@code history.retention.max-messages}, default 10000. */
        public Builder maxMessages(long maxMessages) {
            check(maxMessages > 0, "history.retention.max-messages", maxMessages, "> 0");
            this.maxMessages = maxMessages;
            return this;
        }

        /** {@code history.retention.namespaces.<namespace>.max-age}. */
        public Builder namespaceMaxAge(String namespace, Duration maxAge) {
            namespace(namespace);
            namespaceMaxAge.put(namespace,
                    positive("history.retention.namespaces." + namespace + ".max-age", maxAge));
            return this;
        }

        /** {@code history.retention.namespaces.<namespace>.max-messages}. */
        public Builder namespaceMaxMessages(String namespace, long maxMessages) {
            namespace(namespace);
            check(maxMessages > 0, "history.retention.namespaces." + namespace + ".max-messages", maxMessages,
                    "> 0");
            namespaceMaxMessages.put(namespace, maxMessages);
            return this;
        }

        /** {@code history.retention.sweep-interval}, default PT1M. */
        public Builder sweepInterval(Duration interval) {
            this.sweepInterval = positive("history.retention.sweep-interval", interval);
            return this;
        }

        /** {@code history.max-read-messages}, default 1000 (also the most allowed). */
        public Builder maxReadMessages(int max) {
            check(max >= 1 && max <= READ_LIMIT, "history.max-read-messages", max, "1-" + READ_LIMIT);
            this.maxReadMessages = max;
            return this;
        }

        /** {@code history.max-read-wait}, default PT30S. */
        public Builder maxReadWait(Duration wait) {
            this.maxReadWait = positive("history.max-read-wait", wait);
            return this;
        }

        /** {@code history.startup-timeout}, default PT30S. */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = positive("history.startup-timeout", timeout);
            return this;
        }

        /** {@code history.shutdown-grace}, default PT10S. */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = ConfigChecks.nonNegative("history.shutdown-grace", grace);
            return this;
        }

        /** {@code kafka.bootstrap-servers}, default {@code 127.0.0.1:9092}. */
        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = KafkaClientSettings.bootstrapServers(servers);
            return this;
        }

        /** {@code kafka.topic.name}, default {@code switchboard.rooms}. */
        public Builder topic(String topic) {
            this.topic = KafkaTopicSettings.checkName("kafka.topic.name", topic);
            return this;
        }

        /** One {@code kafka.consumer.*} property; those the service owns are rejected. */
        public Builder consumerProperty(String key, String value) {
            KafkaClientSettings.checkPassthrough("kafka.consumer", key, value, OWNED_CONSUMER_PROPERTIES);
            consumerProperties.put(key, value);
            return this;
        }

        /** The clock retention measures age with; default the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public HistoryConfig build() {
            return new HistoryConfig(this);
        }

        private static void namespace(String namespace) {
            Objects.requireNonNull(namespace, "namespace");
            check(!namespace.isEmpty() && Names.roomProblem(namespace).isEmpty() && namespace.indexOf(':') < 0,
                    "history.retention.namespaces", "'" + namespace + "'", "a namespace: [A-Za-z0-9][A-Za-z0-9._@/-]*");
        }
    }
}
