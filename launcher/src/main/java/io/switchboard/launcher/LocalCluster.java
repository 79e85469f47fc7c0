package io.switchboard.launcher;

import io.helidon.config.Config;
import io.helidon.webserver.http.HttpRouting;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.GatewayConfig;
import io.switchboard.gateway.GatewayKeys;
import io.switchboard.gateway.GatewayServer;
import io.switchboard.gateway.ws.netty.NettyKeys;
import io.switchboard.history.HistoryConfig;
import io.switchboard.history.HistoryKeys;
import io.switchboard.history.HistoryServer;
import io.switchboard.kafka.embedded.EmbeddedKafka;
import io.switchboard.presence.PresenceConfig;
import io.switchboard.presence.PresenceKeys;
import io.switchboard.presence.PresenceServer;
import io.switchboard.router.RouterConfig;
import io.switchboard.router.RouterKeys;
import io.switchboard.router.RouterServer;
import io.switchboard.roomlog.LocalRoomFeed;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.LoopbackPorts;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Routers, gateways and (optionally) the presence and history services in this JVM on loopback, against an
 * embedded Kafka broker or an external cluster.
 * Each service is configured through the same {@link Config} path its own {@code main} uses, with the
 * addresses known only at run time (broker, router ports, service ids) laid over the base configuration.
 * Not thread-safe: start and close from one thread.
 *
 * <p>Size: one start and one stop method per tier, in dependency order, and the accessors the launcher, the system
 * tests and the chaos drills read; each tier's own wiring stays in its server class.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalCluster.class.getName());

    private final ClusterSpec spec;
    private final List<RouterServer> routers = new ArrayList<>();
    /** The routers' {@code host:port} as the gateways list them, mapped to their in-process names. */
    private final Map<String, String> inProcessRouters = new HashMap<>();
    /** Null when the routers do not hand their records to the gateways ({@link ClusterSpec#localFeed}). */
    private LocalRoomFeed localFeed;
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
    private ScratchSpace scratch;
    private String bootstrapServers;
    private Path tlsDirectory;
    private boolean started;

    LocalCluster(ClusterSpec spec) {
        this.spec = spec;
    }

    /** A builder for a cluster of one router and one gateway on an embedded single-node Kafka. */
    public static ClusterSpec builder() {
        return new ClusterSpec();
    }

    /** Starts Kafka (if embedded), then the routers, then the gateways; on failure stops what started. */
    public LocalCluster start() {
        if (started) {
            throw new IllegalStateException("Already started");
        }
        started = true;
        try {
            scratch = ScratchSpace.create();
            ClusterTls tls = null;
            if (spec.kafkaScram && !spec.tls) {
                throw new IllegalStateException("kafkaScram: without tls (expected: tls(true) too; SCRAM runs over TLS)");
            }
            if (spec.tls) {
                tlsDirectory = scratch.directory("tls");
                tls = ClusterTls.generate(tlsDirectory);
            }
            if (tls != null) {
                spec.layers.generated(tls.grpcKeys());
            }
            if (spec.externalBootstrapServers == null) {
                EmbeddedKafka.Builder broker = EmbeddedKafka.builder().nodes(spec.kafkaNodes).basePort(spec.kafkaPort)
                        .dataDirectory(spec.kafkaDataDir != null ? spec.kafkaDataDir : scratch.directory("kafka"));
                if (tls != null && spec.kafkaScram) {
                    broker.scramListener(tls.kafkaScramListener());
                    spec.layers.generated(tls.kafkaScramClientKeys());
                } else if (tls != null) {
                    broker.sslListener(tls.kafkaListener());
                    spec.layers.generated(tls.kafkaClientKeys());
                }
                kafka = broker.build();
                kafka.start();
                bootstrapServers = tls == null ? kafka.bootstrapServers()
                        : spec.kafkaScram ? kafka.saslBootstrapServers() : kafka.sslBootstrapServers();
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
            if (spec.localFeed != null ? spec.localFeed : spec.externalBootstrapServers == null) {
                localFeed = new LocalRoomFeed();
            }
            List<String> routerAddresses = new ArrayList<>();
            for (int i = 0; i < spec.routers; i++) {
                RouterServer.Builder builder = RouterServer.builder(RouterConfig.from(layered(routerRuntime(i))),
                        newRegistry("router-" + (i + 1)));
                if (spec.spanExporter != null) {
                    builder.spanExporter(spec.spanExporter);
                }
                if (localFeed != null) {
                    builder.localFeed(localFeed);
                }
                String inProcessName = null;
                if (spec.inProcessGrpc && !spec.tls) {
                    inProcessName = "switchboard-router-" + (i + 1) + "-" + UUID.randomUUID();
                    builder.inProcessName(inProcessName);
                }
                RouterServer router = builder.build();
                router.start();
                routers.add(router);
                String address = "127.0.0.1:" + router.port();
                routerAddresses.add(address);
                if (inProcessName != null) {
                    inProcessRouters.put(address, inProcessName);
                }
            }
            if (spec.history) {
                startHistory();
            }
            for (int i = 0; i < spec.gateways; i++) {
                Map<String, String> runtime = gatewayRuntime(i, routerAddresses);
                gateways.add(startGateway(i, runtime));
                gatewayRuntime.add(runtime);
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The keys of router {@code index} only the cluster knows; only the first may have a fixed port. */
    private Map<String, String> routerRuntime(int index) {
        Map<String, String> runtime = new HashMap<>();
        runtime.put(KafkaKeys.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        runtime.put(RouterKeys.ID.name(), "router-" + (index + 1));
        if (index > 0) {
            runtime.put(RouterKeys.GRPC_PORT.name(), "0");
            runtime.put(RouterKeys.METRICS_PORT.name(), "0");
        }
        if (presence != null) {
            runtime.put(RouterKeys.PRESENCE_ADDRESS.name(), "127.0.0.1:" + presence.port());
        }
        if (spec.history) {
            runtime.put(RouterKeys.HISTORY_ADDRESS.name(), "127.0.0.1:" + historyPort);
        }
        return runtime;
    }

    /** The keys of gateway {@code index} only the cluster knows; only the first may have a fixed port. */
    private Map<String, String> gatewayRuntime(int index, List<String> routerAddresses) {
        Map<String, String> runtime = new HashMap<>();
        runtime.put(KafkaKeys.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        runtime.put(GatewayKeys.ID.name(), "gateway-" + (index + 1));
        if (index > 0) {
            runtime.put(GatewayKeys.PORT.name(), "0");
        }
        for (int r = 0; r < routerAddresses.size(); r++) {
            runtime.put(GatewayKeys.ROUTERS.name() + "." + r, routerAddresses.get(r));
        }
        if (history != null) {
            runtime.put(GatewayKeys.HISTORY_ADDRESS.name(), "127.0.0.1:" + history.port());
        }
        if (presence != null) {
            runtime.put(GatewayKeys.PRESENCE_ADDRESS.name(), "127.0.0.1:" + presence.port());
        }
        return runtime;
    }

    private GatewayServer startGateway(int index, Map<String, String> runtime) {
        GatewayConfig config = GatewayConfig.from(layered(runtime));
        if (index > 0 && !runtime.containsKey(NettyKeys.PORT.name()) && config.find(NettyKeys.PORT).isPresent()) {
            // Like gateway.port: only the first gateway may have a fixed Netty port.
            runtime.put(NettyKeys.PORT.name(), "0");
            config = GatewayConfig.from(layered(runtime));
        }
        GatewayServer.Builder builder = GatewayServer.builder(config)
                .registry(newRegistry(runtime.get(GatewayKeys.ID.name())))
                .additionalProtocols(spec.additionalProtocols)
                .inProcessRouters(inProcessRouters);
        if (localFeed != null) {
            builder.localFeed(localFeed);
        }
        if (spec.spanExporter != null) {
            builder.spanExporter(spec.spanExporter);
        }
        if (index == 0) {
            builder.httpRouting(routing -> {
                routing.register("/launcher", new ClusterStatus(this));
                if (spec.firstGatewayRouting != null) {
                    spec.firstGatewayRouting.accept(routing);
                }
            });
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
        java.util.OptionalInt nettyPort = old.nettyPort();
        old.stop(Duration.ZERO);
        Map<String, String> runtime = new HashMap<>(gatewayRuntime.get(index));
        runtime.put(GatewayKeys.PORT.name(), Integer.toString(port));
        nettyPort.ifPresent(p -> runtime.put(NettyKeys.PORT.name(), Integer.toString(p)));
        GatewayServer fresh = startGateway(index, runtime);
        gateways.set(index, fresh);
        gatewayRuntime.set(index, runtime);
        return fresh;
    }

    /** {@code port} 0: the configured one (or a free one). */
    private void startPresence(int port) {
        Map<String, String> runtime = new HashMap<>();
        runtime.put(KafkaKeys.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        runtime.put(PresenceKeys.ID.name(), "presence-1");
        if (port != 0) {
            runtime.put(PresenceKeys.GRPC_PORT.name(), Integer.toString(port));
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
        runtime.put(KafkaKeys.BOOTSTRAP_SERVERS.name(), bootstrapServers);
        runtime.put(HistoryKeys.ID.name(), "history-1");
        if (historyPort != 0) {
            runtime.put(HistoryKeys.GRPC_PORT.name(), Integer.toString(historyPort));
        }
        runtime.put(HistoryKeys.DATA_DIR.name(), historyDataDir().toString());
        HistoryServer server = HistoryServer.create(HistoryConfig.from(layered(runtime)), newRegistry("history-1"));
        server.start();
        history = server;
        historyPort = server.port();
        return server;
    }

    /** Stops the history service within {@code history.shutdown-grace} (its data stays for {@link #startHistory()}). */
    public void stopHistory() {
        if (history != null) {
            HistoryServer h = history;
            history = null;
            h.close();
        }
    }

    /** The history service, or null when it is not running. */
    public HistoryServer history() {
        return history;
    }

    /** Where the history service keeps its store: the configured directory, else one in the scratch space. */
    Path historyDataDir() {
        if (historyDataDir == null) {
            historyDataDir = spec.historyDataDir != null ? spec.historyDataDir : scratch.directory("history");
        }
        return historyDataDir;
    }

    private Config layered(Map<String, String> runtime) {
        return spec.layers.layered(runtime);
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

    /**
     * With {@link ClusterSpec#tls}: the directory of the cluster's certificates ({@code ca.crt}, and
     * {@code <party>.crt} and {@code .key} for kafka, kafka-client, router, presence, history, gateway).
     */
    public java.util.Optional<Path> tlsDirectory() {
        return java.util.Optional.ofNullable(tlsDirectory);
    }

    /** The Kafka bootstrap servers the cluster uses (the SSL listener's with {@link ClusterSpec#tls}). */
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

    /**
     * Whether the gateways call the routers through grpc-java's in-process transport ({@link
     * ClusterSpec#inProcessGrpc}) rather than loopback TCP.
     */
    public boolean gatewaysCallRoutersInProcess() {
        return !inProcessRouters.isEmpty();
    }

    /**
     * Whether the routers hand each record they store straight to the gateways ({@link ClusterSpec#localFeed}), whose
     * consumers then only catch up on the rest.
     */
    public boolean routersFeedGateways() {
        return localFeed != null;
    }

    /** Every gateway, in start order. */
    public List<GatewayServer> gateways() {
        return List.copyOf(gateways);
    }

    /** The WebSocket endpoint of gateway {@code index} ({@code wss://} when it serves TLS). */
    public URI webSocketUri(int index) {
        GatewayServer gateway = gateways.get(index);
        return URI.create(gateway.webSocketScheme() + "://127.0.0.1:" + gateway.port() + "/ws");
    }

    /** The Netty WebSocket endpoint of gateway {@code index}; empty unless {@code gateway.netty.port} is set. */
    public Optional<URI> nettyWebSocketUri(int index) {
        GatewayServer gateway = gateways.get(index);
        return gateway.nettyPort().isPresent() ? Optional.of(URI.create("ws://127.0.0.1:"
                + gateway.nettyPort().getAsInt() + gateway.config().get(GatewayKeys.WS_PATH))) : Optional.empty();
    }

    /** The HTTP base of gateway {@code index} (health, metrics, demo page; {@code https://} with TLS). */
    public URI httpUri(int index) {
        GatewayServer gateway = gateways.get(index);
        return URI.create(gateway.httpScheme() + "://127.0.0.1:" + gateway.port() + "/");
    }

    /**
     * Stops the gateways (each drains within its {@code gateway.drain-timeout}), then the routers, presence and
     * history (each within its {@code *.shutdown-grace}), then Kafka, and deletes the scratch space; safe to call
     * more than once.
     */
    @Override
    public void close() {
        for (GatewayServer gateway : gateways.reversed()) {
            quietly(gateway::close, "gateway");
        }
        gateways.clear();
        for (RouterServer router : routers.reversed()) {
            quietly(router::close, "router");
        }
        routers.clear();
        gatewayRuntime.clear();
        registries.clear();
        if (presence != null) {
            PresenceServer p = presence;
            presence = null;
            quietly(p::close, "presence");
        }
        quietly(this::stopHistory, "history");
        if (kafka != null) {
            EmbeddedKafka k = kafka;
            kafka = null;
            quietly(k::close, "kafka");
        }
        if (scratch != null) {
            ScratchSpace s = scratch;
            scratch = null;
            quietly(s::delete, "scratch space " + s.root());
        }
    }

    private static void quietly(Runnable step, String what) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stopping " + what + " failed", e);
        }
    }
}
