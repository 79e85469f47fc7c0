package io.switchboard.gateway;

import static io.switchboard.service.ConfigChecks.check;
import static io.switchboard.service.ConfigChecks.nonNegative;
import static io.switchboard.service.ConfigChecks.positive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import io.helidon.config.Config;
import io.switchboard.service.ConfigFiles;
import io.switchboard.auth.KeyMaterial;
import io.switchboard.auth.KeySetSettings;
import io.switchboard.gateway.authz.AuthzConfig;
import io.switchboard.gateway.routing.BreakerSettings;
import io.switchboard.gateway.routing.RouterEndpoint;

/**
 * Immutable, validated configuration of one gateway. Built with {@link #builder()} (tests, the launcher) or read
 * from Helidon {@link Config} with {@link #from(Config)}: keys under {@code gateway.*} plus the shared
 * {@code kafka.bootstrap-servers}, {@code kafka.topic} and {@code kafka.consumer.*}. Every value is checked when
 * the configuration is built; messages have the shape {@code "name: value (expected: ...)"}. Thread-safe.
 */
public final class GatewayConfig {
    /** The defaults bundled in the gateway's jar. */
    public static final String DEFAULTS_RESOURCE = "gateway-defaults.yaml";

    /** Keys under {@code gateway} this class reads; anything else there is reported as unknown. */
    static final Set<String> KNOWN_KEYS = Set.of(
            "host", "port", "id", "ws-path", "routers", "connect-timeout", "publish-timeout", "close-timeout",
            "idle-timeout", "drain-timeout", "startup-timeout", "router-keepalive-time",
            "router-keepalive-timeout", "router-dns", "router-dns-refresh",
            "router-breaker.failure-rate-threshold", "router-breaker.sliding-window", "router-breaker.minimum-calls",
            "router-breaker.wait-in-open", "router-breaker.half-open-calls",
            "drain.batch-size", "drain.batch-interval", "drain.reconnect-window", "admin.token",
            "auth.hs256-secret", "auth.rs256-public-key", "auth.rs256-public-key-file", "auth.issuer",
            "auth.audience", "auth.clock-skew", "auth.jwks-file", "auth.jwks-url", "auth.jwks-refresh-interval",
            "auth.jwks-min-refetch-interval", "auth.jwks-timeout",
            "limits.max-subscriptions", "limits.max-payload-bytes", "limits.max-frame-bytes",
            "limits.max-outbound-queue-bytes", "limits.max-inflight-publishes",
            "history.address", "history.timeout",
            "resume.page-size", "resume.max-messages", "resume.max-buffer-bytes", "resume.coalesce-ttl",
            "resume.coalesce-max-bytes", "resume.coalesce",
            "presence.address", "presence.report-interval", "presence.max-pending", "presence.timeout",
            "limits.max-ephemeral-bytes");

    private static final Logger LOG = Logger.getLogger(GatewayConfig.class.getName());

    private final String host;
    private final int port;
    private final Optional<String> gatewayId;
    private final String wsPath;
    private final List<RouterEndpoint> routers;
    private final Duration connectTimeout;
    private final Duration publishTimeout;
    private final Duration closeTimeout;
    private final Duration idleTimeout;
    private final Duration drainTimeout;
    private final Duration startupTimeout;
    private final Duration routerKeepAliveTime;
    private final Duration routerKeepAliveTimeout;
    private final Optional<RouterEndpoint> routerDns;
    private final Duration routerDnsRefresh;
    private final BreakerSettings routerBreaker;
    private final int drainBatchSize;
    private final Duration drainBatchInterval;
    private final Duration drainReconnectWindow;
    private final Optional<String> adminToken;
    private final Optional<String> hs256Secret;
    private final Optional<String> rs256PublicKeyPem;
    private final Optional<String> issuer;
    private final Optional<String> audience;
    private final Duration clockSkew;
    private final KeySetSettings keySet;
    private final AuthzConfig authz;
    private final int maxSubscriptions;
    private final int maxPayloadBytes;
    private final int maxFrameBytes;
    private final long maxOutboundQueueBytes;
    private final int maxInflightPublishes;
    private final String bootstrapServers;
    private final String topic;
    private final Map<String, String> consumerProperties;
    private final Optional<String> historyAddress;
    private final Duration historyTimeout;
    private final int resumePageSize;
    private final int resumeMaxMessages;
    private final long resumeMaxBufferBytes;
    private final Duration resumeCoalesceTtl;
    private final boolean resumeCoalesce;
    private final long resumeCoalesceMaxBytes;
    private final Optional<String> presenceAddress;
    private final Duration presenceReportInterval;
    private final int presenceMaxPending;
    private final Duration presenceTimeout;
    private final int maxEphemeralBytes;
    private final String ephemeralTopic;
    private final String controlTopic;
    private final String presenceTopic;

    private GatewayConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.gatewayId = Optional.ofNullable(b.gatewayId);
        this.wsPath = b.wsPath;
        this.routers = b.routers.stream().map(RouterEndpoint::parse).toList();
        this.connectTimeout = b.connectTimeout;
        this.publishTimeout = b.publishTimeout;
        this.closeTimeout = b.closeTimeout;
        this.idleTimeout = b.idleTimeout;
        this.drainTimeout = b.drainTimeout;
        this.startupTimeout = b.startupTimeout;
        this.routerKeepAliveTime = b.routerKeepAliveTime;
        this.routerKeepAliveTimeout = b.routerKeepAliveTimeout;
        this.routerDns = Optional.ofNullable(b.routerDns).map(RouterEndpoint::parse);
        this.routerDnsRefresh = b.routerDnsRefresh;
        this.routerBreaker = b.routerBreaker;
        this.drainBatchSize = b.drainBatchSize;
        this.drainBatchInterval = b.drainBatchInterval;
        this.drainReconnectWindow = b.drainReconnectWindow;
        this.adminToken = Optional.ofNullable(b.adminToken);
        this.hs256Secret = Optional.ofNullable(b.hs256Secret);
        this.rs256PublicKeyPem = Optional.ofNullable(b.rs256PublicKeyPem);
        this.issuer = Optional.ofNullable(b.issuer);
        this.audience = Optional.ofNullable(b.audience);
        this.clockSkew = b.clockSkew;
        this.keySet = b.keySet;
        this.authz = b.authz;
        this.maxSubscriptions = b.maxSubscriptions;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.maxFrameBytes = b.maxFrameBytes;
        this.maxOutboundQueueBytes = b.maxOutboundQueueBytes;
        this.maxInflightPublishes = b.maxInflightPublishes;
        this.bootstrapServers = b.bootstrapServers;
        this.topic = b.topic;
        this.consumerProperties = Map.copyOf(b.consumerProperties);
        this.historyAddress = Optional.ofNullable(b.historyAddress);
        this.historyTimeout = b.historyTimeout;
        this.resumePageSize = b.resumePageSize;
        this.resumeMaxMessages = b.resumeMaxMessages;
        this.resumeMaxBufferBytes = b.resumeMaxBufferBytes;
        this.resumeCoalesceTtl = b.resumeCoalesceTtl;
        this.resumeCoalesce = b.resumeCoalesce;
        this.resumeCoalesceMaxBytes = b.resumeCoalesceMaxBytes;
        this.presenceAddress = Optional.ofNullable(b.presenceAddress);
        this.presenceReportInterval = b.presenceReportInterval;
        this.presenceMaxPending = b.presenceMaxPending;
        this.presenceTimeout = b.presenceTimeout;
        this.maxEphemeralBytes = b.maxEphemeralBytes;
        this.ephemeralTopic = b.ephemeralTopic;
        this.controlTopic = b.controlTopic;
        this.presenceTopic = b.presenceTopic;
    }

    /** A builder with every default set; at least one of the HS256 secret or the RS256 key must be given. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads {@code gateway.*} and {@code kafka.*} from {@code root}; missing keys take their defaults. Unknown keys
     * under {@code gateway} are logged as warnings.
     *
     * @throws IllegalArgumentException when a value is invalid
     */
    public static GatewayConfig from(Config root) {
        return GatewayConfigReader.read(root);
    }

    /**
     * Loads the configuration the way {@code GatewayMain} does, highest priority first: environment variables,
     * system properties, the optional YAML {@code file}, then the classpath {@link #DEFAULTS_RESOURCE}.
     *
     * @throws IllegalArgumentException when {@code file} is not a readable file or a value is invalid
     */
    public static GatewayConfig load(Optional<Path> file) {
        return from(ConfigFiles.load(file, DEFAULTS_RESOURCE));
    }

    /** Interface the web server binds to; default {@code 0.0.0.0}. */
    public String host() {
        return host;
    }

    /** Port the web server binds to (WebSocket, metrics and health share it); 0 picks a free port. */
    public int port() {
        return port;
    }

    /** The configured gateway id; when empty the server derives one from the host name and its bound port. */
    public Optional<String> gatewayId() {
        return gatewayId;
    }

    /** HTTP path of the WebSocket endpoint; default {@code /ws}. */
    public String wsPath() {
        return wsPath;
    }

    /** The routers publishes are spread over, in configuration order. */
    public List<RouterEndpoint> routers() {
        return routers;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration publishTimeout() {
        return publishTimeout;
    }

    /** How long a connection may take to complete a close (or to drain a blocked write) before it is aborted. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** Connections that send nothing (not even a Ping) for this long are closed by the web server. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Grace period of a drain triggered by SIGTERM or {@link GatewayServer#close()}. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /** How long start() waits for Kafka (topic metadata and consumer positions). */
    public Duration startupTimeout() {
        return startupTimeout;
    }

    public Duration routerKeepAliveTime() {
        return routerKeepAliveTime;
    }

    /** How long a keepalive ping may go unanswered before the router's connection is deemed dead. */
    public Duration routerKeepAliveTimeout() {
        return routerKeepAliveTimeout;
    }

    /** A {@code host:port} name whose addresses are the routers (wins over {@link #routers()}); empty: static. */
    public Optional<RouterEndpoint> routerDns() {
        return routerDns;
    }

    /** How often {@link #routerDns()} is resolved again. */
    public Duration routerDnsRefresh() {
        return routerDnsRefresh;
    }

    /** The circuit breaker kept per router. */
    public BreakerSettings routerBreaker() {
        return routerBreaker;
    }

    /** Connections a paced drain closes per batch. */
    public int drainBatchSize() {
        return drainBatchSize;
    }

    /** Time between two batches of a paced drain. */
    public Duration drainBatchInterval() {
        return drainBatchInterval;
    }

    /** {@code Drain.reconnect_within_ms}: the window clients spread their reconnects over. */
    public Duration drainReconnectWindow() {
        return drainReconnectWindow;
    }

    /** Bearer token guarding {@code /admin/*}; empty: the admin endpoints answer 404. */
    public Optional<String> adminToken() {
        return adminToken;
    }

    public Optional<String> hs256Secret() {
        return hs256Secret;
    }

    /** The RS256 verification key as PEM text (from the key or from the key file). */
    public Optional<String> rs256PublicKeyPem() {
        return rs256PublicKeyPem;
    }

    public Optional<String> issuer() {
        return issuer;
    }

    public Optional<String> audience() {
        return audience;
    }

    public Duration clockSkew() {
        return clockSkew;
    }

    /** Room authorization: namespace policies, the direct-message default and the application backend. */
    public AuthzConfig authz() {
        return authz;
    }

    /** Where the verification keys come from: the HS256 secret, the PEM key, the JWK Set file and/or the JWKS URL. */
    public KeySetSettings keySet() {
        return keySet;
    }

    public int maxSubscriptions() {
        return maxSubscriptions;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    public long maxOutboundQueueBytes() {
        return maxOutboundQueueBytes;
    }

    public int maxInflightPublishes() {
        return maxInflightPublishes;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String topic() {
        return topic;
    }

    /** Extra Kafka consumer properties ({@code kafka.consumer.*}); they override the gateway's own settings. */
    public Map<String, String> consumerProperties() {
        return consumerProperties;
    }

    /** {@code host:port} of the history service; empty: resume and HistoryRequest answer RECOVERY_UNAVAILABLE. */
    public Optional<String> historyAddress() {
        return historyAddress;
    }

    /** Deadline of each history read. */
    public Duration historyTimeout() {
        return historyTimeout;
    }

    /** Messages per history read while replaying a resume. */
    public int resumePageSize() {
        return resumePageSize;
    }

    /** Most messages replayed for one subscribe; more missed: recovered=false TOO_FAR_BEHIND. */
    public int resumeMaxMessages() {
        return resumeMaxMessages;
    }

    /** Live bytes one resuming subscription may buffer during its replay; beyond: close 3001. */
    public long resumeMaxBufferBytes() {
        return resumeMaxBufferBytes;
    }

    /** Whether identical replay reads of concurrent resumes are shared (default true). */
    public boolean resumeCoalesce() {
        return resumeCoalesce;
    }

    /** How long a completed replay page is shared with identical reads. */
    public Duration resumeCoalesceTtl() {
        return resumeCoalesceTtl;
    }

    /** Bound of the shared replay pages, in serialized bytes. */
    public long resumeCoalesceMaxBytes() {
        return resumeCoalesceMaxBytes;
    }

    /** {@code host:port} of the presence service; empty: presence disabled (no reports, queries UNAVAILABLE). */
    public Optional<String> presenceAddress() {
        return presenceAddress;
    }

    /** How often queued presence changes are reported. */
    public Duration presenceReportInterval() {
        return presenceReportInterval;
    }

    /** Presence changes queued at most while the presence service is slow or down; more: a full Sync follows. */
    public int presenceMaxPending() {
        return presenceMaxPending;
    }

    /** Deadline of each presence call. */
    public Duration presenceTimeout() {
        return presenceTimeout;
    }

    /** Largest Ephemeral payload, in bytes. */
    public int maxEphemeralBytes() {
        return maxEphemeralBytes;
    }

    /** {@code kafka.ephemeral-topic.name}. */
    public String ephemeralTopic() {
        return ephemeralTopic;
    }

    /** {@code kafka.control-topic.name}. */
    public String controlTopic() {
        return controlTopic;
    }

    /** {@code kafka.presence-topic.name}. */
    public String presenceTopic() {
        return presenceTopic;
    }

    @Override
    public String toString() {
        return "GatewayConfig{host=" + host + ", port=" + port + ", id=" + gatewayId.orElse("<derived>")
                + ", wsPath=" + wsPath + ", routers=" + routerDns.map(d -> "dns:" + d).orElse(routers.toString())
                + ", bootstrapServers=" + bootstrapServers
                + ", topic=" + topic + ", auth=" + keySet + ", history=" + historyAddress.orElse("<none>") + "}";
    }

    /** Fluent builder; {@link #build()} validates every field and the rules that span fields. Not thread-safe. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private String gatewayId;
        private String wsPath = "/ws";
        private List<String> routers = List.of("127.0.0.1:7070");
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration publishTimeout = Duration.ofSeconds(10);
        private Duration closeTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration drainTimeout = Duration.ofSeconds(15);
        private Duration startupTimeout = Duration.ofSeconds(30);
        private Duration routerKeepAliveTime = Duration.ofSeconds(10);
        private Duration routerKeepAliveTimeout = Duration.ofSeconds(5);
        private String routerDns;
        private Duration routerDnsRefresh = Duration.ofSeconds(10);
        private BreakerSettings routerBreaker = BreakerSettings.DEFAULTS;
        private int drainBatchSize = 100;
        private Duration drainBatchInterval = Duration.ofMillis(500);
        private Duration drainReconnectWindow = Duration.ofSeconds(5);
        private String adminToken;
        private String hs256Secret;
        private String rs256PublicKeyPem;
        private String issuer;
        private String audience;
        private Duration clockSkew = Duration.ofSeconds(30);
        private Path jwksFile;
        private URI jwksUrl;
        private Duration jwksRefreshInterval = KeySetSettings.DEFAULT_REFRESH_INTERVAL;
        private Duration jwksMinRefetchInterval = KeySetSettings.DEFAULT_MIN_REFETCH_INTERVAL;
        private Duration jwksTimeout = KeySetSettings.DEFAULT_FETCH_TIMEOUT;
        private KeySetSettings keySet;
        private AuthzConfig authz = AuthzConfig.defaults();
        private int maxSubscriptions = 100;
        private int maxPayloadBytes = 65_536;
        private int maxFrameBytes = 131_072;
        private long maxOutboundQueueBytes = 1_048_576;
        private int maxInflightPublishes = 64;
        private String bootstrapServers = "127.0.0.1:9092";
        private String topic = "switchboard.rooms";
        private final Map<String, String> consumerProperties = new LinkedHashMap<>();
        private String historyAddress;
        private Duration historyTimeout = Duration.ofSeconds(5);
        private int resumePageSize = 200;
        private int resumeMaxMessages = 1000;
        private long resumeMaxBufferBytes = 1_048_576;
        private Duration resumeCoalesceTtl = Duration.ofSeconds(2);
        private boolean resumeCoalesce = true;
        private long resumeCoalesceMaxBytes = 67_108_864;
        private String presenceAddress;
        private Duration presenceReportInterval = Duration.ofMillis(200);
        private int presenceMaxPending = 100_000;
        private Duration presenceTimeout = Duration.ofSeconds(5);
        private int maxEphemeralBytes = 1024;
        private String ephemeralTopic = "switchboard.ephemeral";
        private String controlTopic = "switchboard.control";
        private String presenceTopic = "switchboard.presence";

        private Builder() {
        }

        /** The presence service as {@code "host:port"}. */
        public Builder presenceAddress(String address) {
            String a = requireText("gateway.presence.address", address);
            try {
                RouterEndpoint.parse(a);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("gateway.presence.address: '" + address + "' (expected: host:port)", e);
            }
            this.presenceAddress = a;
            return this;
        }

        public Builder presenceReportInterval(Duration d) {
            this.presenceReportInterval = positive("gateway.presence.report-interval", d);
            return this;
        }

        /** At least 500 (one full batch). */
        public Builder presenceMaxPending(int n) {
            this.presenceMaxPending = atLeast("gateway.presence.max-pending", n, 500);
            return this;
        }

        public Builder presenceTimeout(Duration d) {
            this.presenceTimeout = positive("gateway.presence.timeout", d);
            return this;
        }

        public Builder maxEphemeralBytes(int n) {
            this.maxEphemeralBytes = atLeast("gateway.limits.max-ephemeral-bytes", n, 1);
            return this;
        }

        public Builder ephemeralTopic(String topic) {
            this.ephemeralTopic = requireText("kafka.ephemeral-topic.name", topic);
            return this;
        }

        public Builder controlTopic(String topic) {
            this.controlTopic = requireText("kafka.control-topic.name", topic);
            return this;
        }

        public Builder presenceTopic(String topic) {
            this.presenceTopic = requireText("kafka.presence-topic.name", topic);
            return this;
        }

        public Builder host(String host) {
            this.host = requireText("gateway.host", host);
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("gateway.port: " + port + " (expected: 0-65535)");
            }
            this.port = port;
            return this;
        }

        public Builder gatewayId(String gatewayId) {
            this.gatewayId = requireText("gateway.id", gatewayId);
            return this;
        }

        public Builder wsPath(String wsPath) {
            if (wsPath == null || !wsPath.startsWith("/")) {
                throw new IllegalArgumentException("gateway.ws-path: " + wsPath + " (expected: starts with '/')");
            }
            this.wsPath = wsPath;
            return this;
        }

        /** Routers as {@code "host:port"} strings. */
        public Builder routers(List<String> routers) {
            Objects.requireNonNull(routers, "routers");
            if (routers.isEmpty()) {
                throw new IllegalArgumentException("gateway.routers: [] (expected: at least one host:port)");
            }
            routers.forEach(RouterEndpoint::parse);
            if (Set.copyOf(routers).size() != routers.size()) {
                throw new IllegalArgumentException("gateway.routers: " + routers + " (expected: no duplicates)");
            }
            this.routers = List.copyOf(routers);
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive("gateway.connect-timeout", d);
            return this;
        }

        public Builder publishTimeout(Duration d) {
            this.publishTimeout = positive("gateway.publish-timeout", d);
            return this;
        }

        public Builder closeTimeout(Duration d) {
            this.closeTimeout = positive("gateway.close-timeout", d);
            return this;
        }

        public Builder idleTimeout(Duration d) {
            this.idleTimeout = positive("gateway.idle-timeout", d);
            return this;
        }

        public Builder drainTimeout(Duration d) {
            this.drainTimeout = nonNegative("gateway.drain-timeout", d);
            return this;
        }

        public Builder startupTimeout(Duration d) {
            this.startupTimeout = positive("gateway.startup-timeout", d);
            return this;
        }

        public Builder routerKeepAliveTime(Duration d) {
            this.routerKeepAliveTime = positive("gateway.router-keepalive-time", d);
            return this;
        }

        public Builder routerKeepAliveTimeout(Duration d) {
            this.routerKeepAliveTimeout = positive("gateway.router-keepalive-timeout", d);
            return this;
        }

        /** Discovers routers by resolving {@code "host:port"} (all its A/AAAA records) instead of the static list. */
        public Builder routerDns(String nameAndPort) {
            String v = requireText("gateway.router-dns", nameAndPort);
            try {
                RouterEndpoint.parse(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("gateway.router-dns: '" + nameAndPort + "' (expected: host:port)", e);
            }
            this.routerDns = v;
            return this;
        }

        public Builder routerDnsRefresh(Duration d) {
            this.routerDnsRefresh = positive("gateway.router-dns-refresh", d);
            return this;
        }

        public Builder routerBreaker(BreakerSettings settings) {
            this.routerBreaker = Objects.requireNonNull(settings, "routerBreaker");
            return this;
        }

        public Builder drainBatchSize(int n) {
            this.drainBatchSize = atLeast("gateway.drain.batch-size", n, 1);
            return this;
        }

        public Builder drainBatchInterval(Duration d) {
            this.drainBatchInterval = positive("gateway.drain.batch-interval", d);
            return this;
        }

        public Builder drainReconnectWindow(Duration d) {
            Duration v = positive("gateway.drain.reconnect-window", d);
            if (v.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("gateway.drain.reconnect-window: " + d + " (expected: < 24 days)");
            }
            this.drainReconnectWindow = v;
            return this;
        }

        /** The bearer token of {@code /admin/*}; at least 16 characters. */
        public Builder adminToken(String token) {
            String t = requireText("gateway.admin.token", token);
            if (t.length() < 16) {
                throw new IllegalArgumentException(
                        "gateway.admin.token: " + t.length() + " characters (expected: >= 16)");
            }
            this.adminToken = t;
            return this;
        }

        /** HMAC secret for HS256 tokens, used as its UTF-8 bytes; at least 32 bytes. */
        public Builder hs256Secret(String secret) {
            Objects.requireNonNull(secret, "hs256Secret");
            int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
            if (bytes < 32) {
                throw new IllegalArgumentException(
                        "gateway.auth.hs256-secret: " + bytes + " bytes (expected: >= 32 bytes)");
            }
            this.hs256Secret = secret;
            return this;
        }

        /**
         * Public key as PEM text ({@code -----BEGIN PUBLIC KEY-----}): RSA for RS256 (the name's), or an EC P-256
         * (ES256) or Ed25519 (EdDSA) key.
         */
        public Builder rs256PublicKey(String pem) {
            Objects.requireNonNull(pem, "rs256PublicKey");
            try {
                KeyMaterial.publicKeyPem(pem);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "gateway.auth.rs256-public-key: " + e.getMessage() + " (expected: PEM of a public key)", e);
            }
            this.rs256PublicKeyPem = pem;
            return this;
        }

        /** Reads the RS256 public key from a PEM file. */
        public Builder rs256PublicKeyFile(Path file) {
            String pem;
            try {
                pem = Files.readString(file, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("gateway.auth.rs256-public-key-file: " + file + " (expected: a readable file)", e);
            }
            return rs256PublicKey(pem);
        }

        public Builder issuer(String issuer) {
            this.issuer = requireText("gateway.auth.issuer", issuer);
            return this;
        }

        public Builder audience(String audience) {
            this.audience = requireText("gateway.auth.audience", audience);
            return this;
        }

        public Builder clockSkew(Duration d) {
            Duration v = nonNegative("gateway.auth.clock-skew", d);
            if (v.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("gateway.auth.clock-skew: " + d + " (expected: PT0S-PT10M)");
            }
            this.clockSkew = v;
            return this;
        }

        /** A JWK Set file (or one JWK, or a PEM public key), re-read in the background and on an unknown kid. */
        public Builder jwksFile(Path file) {
            this.jwksFile = Objects.requireNonNull(file, "gateway.auth.jwks-file");
            return this;
        }

        /** An http(s) URL serving a JWK Set, fetched in the background and on an unknown kid. */
        public Builder jwksUrl(String url) {
            String u = requireText("gateway.auth.jwks-url", url);
            try {
                this.jwksUrl = new URI(u);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("gateway.auth.jwks-url: '" + url + "' (expected: a URL)", e);
            }
            return this;
        }

        /** Room authorization ({@code gateway.authz.*}). */
        public Builder authz(AuthzConfig authz) {
            this.authz = Objects.requireNonNull(authz, "gateway.authz");
            return this;
        }

        public Builder jwksRefreshInterval(Duration d) {
            this.jwksRefreshInterval = positive("gateway.auth.jwks-refresh-interval", d);
            return this;
        }

        public Builder jwksMinRefetchInterval(Duration d) {
            this.jwksMinRefetchInterval = positive("gateway.auth.jwks-min-refetch-interval", d);
            return this;
        }

        public Builder jwksTimeout(Duration d) {
            this.jwksTimeout = positive("gateway.auth.jwks-timeout", d);
            return this;
        }

        public Builder maxSubscriptions(int n) {
            this.maxSubscriptions = atLeast("gateway.limits.max-subscriptions", n, 1);
            return this;
        }

        public Builder maxPayloadBytes(int n) {
            this.maxPayloadBytes = atLeast("gateway.limits.max-payload-bytes", n, 1);
            return this;
        }

        public Builder maxFrameBytes(int n) {
            this.maxFrameBytes = atLeast("gateway.limits.max-frame-bytes", n, 1024);
            return this;
        }

        public Builder maxOutboundQueueBytes(long n) {
            if (n < 1024) {
                throw new IllegalArgumentException(
                        "gateway.limits.max-outbound-queue-bytes: " + n + " (expected: >= 1024)");
            }
            this.maxOutboundQueueBytes = n;
            return this;
        }

        public Builder maxInflightPublishes(int n) {
            this.maxInflightPublishes = atLeast("gateway.limits.max-inflight-publishes", n, 1);
            return this;
        }

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = requireText("kafka.bootstrap-servers", bootstrapServers);
            return this;
        }

        public Builder topic(String topic) {
            this.topic = requireText("kafka.topic.name", topic);
            return this;
        }

        /** One Kafka consumer property, e.g. {@code ("security.protocol", "SSL")}. */
        public Builder consumerProperty(String key, String value) {
            consumerProperties.put(requireText("kafka.consumer key", key), Objects.requireNonNull(value, key));
            return this;
        }

        /** The history service as {@code "host:port"}. */
        public Builder historyAddress(String address) {
            String a = requireText("gateway.history.address", address);
            try {
                RouterEndpoint.parse(a);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("gateway.history.address: '" + address + "' (expected: host:port)", e);
            }
            this.historyAddress = a;
            return this;
        }

        public Builder historyTimeout(Duration d) {
            this.historyTimeout = positive("gateway.history.timeout", d);
            return this;
        }

        public Builder resumePageSize(int n) {
            if (n < 1 || n > 1000) {
                throw new IllegalArgumentException("gateway.resume.page-size: " + n + " (expected: 1-1000)");
            }
            this.resumePageSize = n;
            return this;
        }

        public Builder resumeMaxMessages(int n) {
            this.resumeMaxMessages = atLeast("gateway.resume.max-messages", n, 1);
            return this;
        }

        public Builder resumeMaxBufferBytes(long n) {
            if (n < 1024) {
                throw new IllegalArgumentException("gateway.resume.max-buffer-bytes: " + n + " (expected: >= 1024)");
            }
            this.resumeMaxBufferBytes = n;
            return this;
        }

        /** {@code gateway.resume.coalesce}: share identical replay reads (off only to measure what it saves). */
        public Builder resumeCoalesce(boolean enabled) {
            this.resumeCoalesce = enabled;
            return this;
        }

        public Builder resumeCoalesceTtl(Duration d) {
            this.resumeCoalesceTtl = positive("gateway.resume.coalesce-ttl", d);
            return this;
        }

        public Builder resumeCoalesceMaxBytes(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("gateway.resume.coalesce-max-bytes: " + n + " (expected: >= 1)");
            }
            this.resumeCoalesceMaxBytes = n;
            return this;
        }

        /**
         * Validates the rules that span fields and builds the configuration.
         *
         * @throws IllegalArgumentException when no token key is configured or limits contradict each other
         */
        public GatewayConfig build() {
            if (hs256Secret == null && rs256PublicKeyPem == null && jwksFile == null && jwksUrl == null) {
                throw new IllegalArgumentException("gateway.auth: no key (expected: hs256-secret, "
                        + "rs256-public-key or rs256-public-key-file, jwks-file and/or jwks-url)");
            }
            keySet = new KeySetSettings("gateway.auth", Optional.ofNullable(hs256Secret),
                    Optional.ofNullable(rs256PublicKeyPem), Optional.ofNullable(jwksFile), Optional.ofNullable(jwksUrl),
                    jwksRefreshInterval, jwksMinRefetchInterval, jwksTimeout);
            if (maxPayloadBytes >= maxFrameBytes) {
                throw new IllegalArgumentException("gateway.limits.max-payload-bytes: " + maxPayloadBytes
                        + " (expected: < max-frame-bytes " + maxFrameBytes + ")");
            }
            if (maxOutboundQueueBytes < maxFrameBytes) {
                throw new IllegalArgumentException("gateway.limits.max-outbound-queue-bytes: " + maxOutboundQueueBytes
                        + " (expected: >= max-frame-bytes " + maxFrameBytes + ")");
            }
            if (maxEphemeralBytes >= maxFrameBytes) {
                throw new IllegalArgumentException("gateway.limits.max-ephemeral-bytes: " + maxEphemeralBytes
                        + " (expected: < max-frame-bytes " + maxFrameBytes + ")");
            }
            if (java.util.Set.of(topic, ephemeralTopic, controlTopic, presenceTopic).size() != 4) {
                throw new IllegalArgumentException("kafka topics: " + List.of(topic, ephemeralTopic, controlTopic,
                        presenceTopic) + " (expected: four different names)");
            }
            if (resumeMaxBufferBytes < maxFrameBytes) {
                throw new IllegalArgumentException("gateway.resume.max-buffer-bytes: " + resumeMaxBufferBytes
                        + " (expected: >= limits.max-frame-bytes " + maxFrameBytes + ")");
            }
            return new GatewayConfig(this);
        }

        private static String requireText(String name, String value) {
            check(value != null && !value.isBlank(), name, "'" + value + "'", "non-empty");
            return value.strip();
        }

        private static int atLeast(String name, int n, int min) {
            check(n >= min, name, n, ">= " + min);
            return n;
        }
    }

    /** For log lines: the keys of the consumer passthrough without their values (they may hold secrets). */
    String consumerPropertyNames() {
        return consumerProperties.keySet().stream().sorted().collect(Collectors.joining(", "));
    }

    static void logEffective(GatewayConfig config) {
        if (LOG.isLoggable(Level.CONFIG)) {
            LOG.config("Effective " + config + ", kafka.consumer.* keys: [" + config.consumerPropertyNames() + "]");
        }
    }
}
