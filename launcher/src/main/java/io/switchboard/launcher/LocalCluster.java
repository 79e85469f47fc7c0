package io.switchboard.launcher;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.http.HttpRouting;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.GatewayConfig;
import io.switchboard.gateway.GatewayServer;
import io.switchboard.history.HistoryConfig;
import io.switchboard.history.HistoryServer;
import io.switchboard.kafka.embedded.EmbeddedKafka;
import io.switchboard.presence.PresenceConfig;
import io.switchboard.presence.PresenceServer;
import io.switchboard.router.RouterConfig;
import io.switchboard.router.RouterServer;
import io.switchboard.service.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Routers, gateways and (optionally) the presence and history services in this JVM on loopback, against an
 * embedded Kafka broker or an external cluster.
 * Each service is configured through the same {@link Config} path its own {@code main} uses, with the
 * addresses known only at run time (broker, router ports, service ids) laid over the base configuration.
 * Not thread-safe: start and close from one thread.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalCluster.class.getName());

    private static final Map<String, String> FALLBACK = Map.of(
            "gateway.host", "127.0.0.1",
            "gateway.port", "0",
            "router.grpc.port", "0",
            "router.metrics.port", "0",
            "history.grpc.port", "0",
            "history.metrics.port", "0",
            "presence.grpc.port", "0",
            "presence.metrics.port", "0");

    private final Builder spec;
    private final List<RouterServer> routers = new ArrayList<>();
    private HistoryServer history;
    private PresenceServer presence;
    private final List<GatewayServer> gateways = new ArrayList<>();
    /** Per gateway: the run-time keys it was started with, so that a restart gets the same configuration. */
    private final List<Map<String, String>> gatewayRuntime = new ArrayList<>();
    /** Each running service's metrics registry, by service id ({@code router-1}, {@code gateway-2}, ...). */
    private final Map<String, PrometheusRegistry> registries = new LinkedHashMap<>();
    private EmbeddedKafka kafka;
    private int historyPort;
    private Path historyDataDir;
    private boolean ownsHistoryDataDir;
    private String bootstrapServers;
    private boolean started;

    private LocalCluster(Builder spec) {
        this.spec = spec;
    }

    /** A builder for a cluster of one router and one gateway on an embedded single-node Kafka. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts Kafka (if embedded), then the routers, then the gateways; on failure stops what started. */
    public LocalCluster start() {
        if (started) {
            throw new IllegalStateException("Already started");
        }
        started = true;
        try {
            if (spec.externalBootstrapServers == null) {
                kafka = EmbeddedKafka.builder().nodes(spec.kafkaNodes).build();
                kafka.start();
                bootstrapServers = kafka.bootstrapServers();
            } else {
                bootstrapServers = spec.externalBootstrapServers;
            }
            if (spec.presence) {
                startPresence(0);
            }
            if (spec.history && historyPort == 0) {
                // The history service starts after the routers (it waits for the topic they create), but the
                // routers' public API must know its address from the start: pick its port now.
                historyPort = LoopbackPorts.pick();
            }
            List<String> routerAddresses = new ArrayList<>();
            for (int i = 0; i < spec.routers; i++) {
                Map<String, String> runtime = new HashMap<>();
                runtime.put("kafka.bootstrap-servers", bootstrapServers);
                runtime.put("router.id", "router-" + (i + 1));
                if (i > 0) {
                    // Only the first router may have a fixed port; the others take free ones.
                    runtime.put("router.grpc.port", "0");
                    runtime.put("router.metrics.port", "0");
                }
                if (presence != null) {
                    runtime.put("router.presence.address", "127.0.0.1:" + presence.port());
                }
                if (spec.history) {
                    runtime.put("router.history.address", "127.0.0.1:" + historyPort);
                }
                RouterServer router = RouterServer.create(RouterConfig.from(layered(runtime)),
                        newRegistry("router-" + (i + 1)));
                router.start();
                routers.add(router);
                routerAddresses.add("127.0.0.1:" + router.port());
            }
            if (spec.history) {
                startHistory();
            }
            for (int i = 0; i < spec.gateways; i++) {
                Map<String, String> runtime = new HashMap<>();
                runtime.put("kafka.bootstrap-servers", bootstrapServers);
                runtime.put("gateway.id", "gateway-" + (i + 1));
                if (i > 0) {
                    runtime.put("gateway.port", "0");
                }
                for (int r = 0; r < routerAddresses.size(); r++) {
                    runtime.put("gateway.routers." + r, routerAddresses.get(r));
                }
                if (history != null) {
                    runtime.put("gateway.history.address", "127.0.0.1:" + history.port());
                }
                if (presence != null) {
                    runtime.put("gateway.presence.address", "127.0.0.1:" + presence.port());
                }
                GatewayServer gateway = startGateway(i, runtime);
                gateways.add(gateway);
                gatewayRuntime.add(runtime);
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private GatewayServer startGateway(int index, Map<String, String> runtime) {
        GatewayServer.Builder builder = GatewayServer.builder(GatewayConfig.from(layered(runtime)))
                .registry(newRegistry(runtime.get("gateway.id")));
        if (index == 0 && spec.firstGatewayRouting != null) {
            builder.httpRouting(spec.firstGatewayRouting);
        }
        return builder.build().start();
    }

    /**
     * Stops gateway {@code index} abruptly ({@code stop(Duration.ZERO)}: no paced drain, every connection is
     * closed at once with 3000), then starts a new gateway with the same
     * configuration on the same port and returns it. Clients reconnect to it and resume. Gateway 0 also serves
     * the demo page, which is unreachable for that moment.
     */
    public GatewayServer restartGateway(int index) {
        GatewayServer old = gateways.get(index);
        int port = old.port();
        old.stop(Duration.ZERO);
        Map<String, String> runtime = new HashMap<>(gatewayRuntime.get(index));
        runtime.put("gateway.port", Integer.toString(port));
        GatewayServer fresh = startGateway(index, runtime);
        gateways.set(index, fresh);
        gatewayRuntime.set(index, runtime);
        return fresh;
    }

    /** {@code port} 0: the configured one (or a free one). */
    private void startPresence(int port) {
        Map<String, String> runtime = new HashMap<>();
        runtime.put("kafka.bootstrap-servers", bootstrapServers);
        runtime.put("presence.id", "presence-1");
        if (port != 0) {
            runtime.put("presence.grpc.port", Integer.toString(port));
        }
        PresenceServer server = PresenceServer.create(PresenceConfig.from(layered(runtime)),
                newRegistry("presence-1"));
        server.start();
        presence = server;
    }

    /**
     * Stops the presence service at once (its in-memory state is lost, as in a crash) and starts a new one on the
     * same port; the gateways resync with it. Returns the new one.
     */
    public PresenceServer restartPresence() {
        if (presence == null) {
            throw new IllegalStateException("presence is not running");
        }
        int port = presence.port(); // gateways and routers know this one
        PresenceServer old = presence;
        presence = null;
        old.shutdown(Duration.ZERO);
        startPresence(port);
        return presence;
    }

    /** The presence service, or null when it is not running. */
    public PresenceServer presence() {
        return presence;
    }

    /** Starts (or restarts, on the same data directory) the history service. */
    public HistoryServer startHistory() {
        if (history != null) {
            throw new IllegalStateException("history is running");
        }
        Map<String, String> runtime = new HashMap<>();
        runtime.put("kafka.bootstrap-servers", bootstrapServers);
        runtime.put("history.id", "history-1");
        if (historyPort != 0) {
            runtime.put("history.grpc.port", Integer.toString(historyPort));
        }
        runtime.put("history.data-dir", historyDataDir().toString());
        HistoryServer server = HistoryServer.create(HistoryConfig.from(layered(runtime)), newRegistry("history-1"));
        server.start();
        history = server;
        historyPort = server.port();
        return server;
    }

    /** Stops the history service (its data stays for {@link #startHistory()}). */
    public void stopHistory() {
        if (history != null) {
            HistoryServer h = history;
            history = null;
            h.shutdown(Duration.ofSeconds(5));
        }
    }

    /** The history service, or null when it is not running. */
    public HistoryServer history() {
        return history;
    }

    private Path historyDataDir() {
        if (historyDataDir == null) {
            try {
                historyDataDir = spec.historyDataDir != null ? spec.historyDataDir : Files.createTempDirectory("switchboard-history-");
                ownsHistoryDataDir = spec.historyDataDir == null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return historyDataDir;
    }

    // Priority, highest first: run-time addresses, programmatic settings, environment and system properties
    // (only when asked for), the base file, then loopback and free ports. The first source with a key wins.
    private Config layered(Map<String, String> runtime) {
        Config.Builder builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .addSource(ConfigSources.create(runtime))
                .addSource(ConfigSources.create(spec.overrides));
        if (spec.environment) {
            builder.addSource(ConfigSources.environmentVariables()).addSource(ConfigSources.systemProperties());
        }
        return builder.addSource(ConfigSources.create(spec.base)).addSource(ConfigSources.create(FALLBACK)).build();
    }

    /** A fresh registry for the service {@code id}; a restarted service's replaces its predecessor's. */
    private PrometheusRegistry newRegistry(String id) {
        PrometheusRegistry registry = new PrometheusRegistry();
        registries.put(id, registry);
        return registry;
    }

    /**
     * Each service's metrics registry by service id ({@code gateway-1}, {@code router-1}, {@code presence-1},
     * {@code history-1}), in start order: what every service registered, including metrics that have no
     * sample yet and so do not appear on its {@code /metrics} page. The JVM's metrics are in the gateways'.
     */
    public Map<String, PrometheusRegistry> registries() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(registries));
    }

    /** The Kafka bootstrap servers the cluster uses. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The embedded broker, or null when the cluster uses an external one. */
    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** Router {@code index} (0-based), in start order. */
    public RouterServer router(int index) {
        return routers.get(index);
    }

    /** Gateway {@code index} (0-based), in start order. */
    public GatewayServer gateway(int index) {
        return gateways.get(index);
    }

    /** Every router, in start order. */
    public List<RouterServer> routers() {
        return List.copyOf(routers);
    }

    /** Every gateway, in start order. */
    public List<GatewayServer> gateways() {
        return List.copyOf(gateways);
    }

    /** The WebSocket endpoint of gateway {@code index}. */
    public URI webSocketUri(int index) {
        return URI.create("ws://127.0.0.1:" + gateways.get(index).port() + "/ws");
    }

    /** The HTTP base of gateway {@code index} (health, metrics, demo page). */
    public URI httpUri(int index) {
        return URI.create("http://127.0.0.1:" + gateways.get(index).port() + "/");
    }

    /** Stops gateways (draining connections), then routers, presence, history, then Kafka; safe to call more than once. */
    @Override
    public void close() {
        for (GatewayServer gateway : gateways.reversed()) {
            quietly(() -> gateway.stop(Duration.ofSeconds(5)), "gateway");
        }
        gateways.clear();
        for (RouterServer router : routers.reversed()) {
            quietly(() -> router.shutdown(Duration.ofSeconds(5)), "router");
        }
        routers.clear();
        gatewayRuntime.clear();
        registries.clear();
        if (presence != null) {
            PresenceServer p = presence;
            presence = null;
            quietly(() -> p.shutdown(Duration.ofSeconds(5)), "presence");
        }
        quietly(this::stopHistory, "history");
        if (ownsHistoryDataDir) {
            quietly(() -> deleteRecursively(historyDataDir), "history data");
            ownsHistoryDataDir = false;
        }
        if (kafka != null) {
            EmbeddedKafka k = kafka;
            kafka = null;
            quietly(k::close, "kafka");
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void quietly(Runnable step, String what) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stopping " + what + " failed", e);
        }
    }

    /** What to start. */
    public static final class Builder {
        private int kafkaNodes = 1;
        private String externalBootstrapServers;
        private int routers = 1;
        private int gateways = 1;
        private final Map<String, String> base = new HashMap<>();
        private final Map<String, String> overrides = new HashMap<>();
        private Consumer<HttpRouting.Builder> firstGatewayRouting;
        private boolean environment;
        private boolean history;
        private boolean presence = true;
        private Path historyDataDir;

        private Builder() {
        }

        /** Also run the history service, which gateways use for resume and paging (off by default). */
        public Builder history(boolean enabled) {
            this.history = enabled;
            return this;
        }

        /**
         * Also run the presence service (on by default): member lists, presence events and direct messages.
         * Without it gateways and routers run with presence disabled.
         */
        public Builder presence(boolean enabled) {
            this.presence = enabled;
            return this;
        }

        /** Where the history service keeps its store (default: a temporary directory deleted on close). */
        public Builder historyDataDir(Path directory) {
            this.historyDataDir = directory;
            return this;
        }

        /** Let environment variables and system properties override the base configuration (off by default). */
        public Builder environmentOverrides(boolean enabled) {
            this.environment = enabled;
            return this;
        }

        /** Nodes of the embedded Kafka cluster (default 1). */
        public Builder kafkaNodes(int nodes) {
            this.kafkaNodes = nodes;
            return this;
        }

        /** Use an existing Kafka cluster instead of an embedded one. */
        public Builder externalKafka(String bootstrapServers) {
            this.externalBootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            return this;
        }

        /** How many routers (default 1). */
        public Builder routers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("routers: " + count + " (expected: >= 1)");
            }
            this.routers = count;
            return this;
        }

        /** How many gateways (default 1). */
        public Builder gateways(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("gateways: " + count + " (expected: >= 1)");
            }
            this.gateways = count;
            return this;
        }

        /** A configuration key for every service, e.g. {@code gateway.auth.hs256-secret}. */
        public Builder set(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /** Base configuration (lowest priority), e.g. read from a file by the launcher's main. */
        public Builder base(Map<String, String> flattened) {
            base.putAll(flattened);
            return this;
        }

        /** Extra HTTP routes on the first gateway (the demo page). */
        public Builder firstGatewayRouting(Consumer<HttpRouting.Builder> routing) {
            this.firstGatewayRouting = routing;
            return this;
        }

        /** Builds the (not yet started) cluster. */
        public LocalCluster build() {
            return new LocalCluster(this);
        }
    }
}
