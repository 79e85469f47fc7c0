package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayKeys.ADMIN_DEBUG_MAX_DURATION;
import static io.switchboard.gateway.GatewayKeys.AUTH;
import static io.switchboard.gateway.GatewayKeys.CLOSE_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.CONNECT_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.DRAIN_BATCH_INTERVAL;
import static io.switchboard.gateway.GatewayKeys.DRAIN_BATCH_SIZE;
import static io.switchboard.gateway.GatewayKeys.DRAIN_RECONNECT_WINDOW;
import static io.switchboard.gateway.GatewayKeys.DRAIN_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.HISTORY_ADDRESS;
import static io.switchboard.gateway.GatewayKeys.HISTORY_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.HOST;
import static io.switchboard.gateway.GatewayKeys.ID;
import static io.switchboard.gateway.GatewayKeys.LOCAL_FEED_FETCH_WAIT;
import static io.switchboard.gateway.GatewayKeys.MAX_EPHEMERAL_BYTES;
import static io.switchboard.gateway.GatewayKeys.MAX_FRAME_BYTES;
import static io.switchboard.gateway.GatewayKeys.MAX_INFLIGHT_PUBLISHES;
import static io.switchboard.gateway.GatewayKeys.MAX_OUTBOUND_QUEUE_BYTES;
import static io.switchboard.gateway.GatewayKeys.WRITER_LANES;
import static io.switchboard.gateway.GatewayKeys.WRITER_LANE_STALL;
import static io.switchboard.gateway.GatewayKeys.MAX_PAYLOAD_BYTES;
import static io.switchboard.gateway.GatewayKeys.MAX_SUBSCRIPTIONS;
import static io.switchboard.gateway.GatewayKeys.PORT;
import static io.switchboard.gateway.GatewayKeys.PRESENCE_ADDRESS;
import static io.switchboard.gateway.GatewayKeys.PRESENCE_MAX_PENDING;
import static io.switchboard.gateway.GatewayKeys.PRESENCE_REPORT_INTERVAL;
import static io.switchboard.gateway.GatewayKeys.PRESENCE_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.PROBE_INTERVAL;
import static io.switchboard.gateway.GatewayKeys.PROBE_PEER_EXPIRY;
import static io.switchboard.gateway.GatewayKeys.PROBE_READINESS;
import static io.switchboard.gateway.GatewayKeys.PROBE_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.PUBLISH_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.RESUME_COALESCE;
import static io.switchboard.gateway.GatewayKeys.RESUME_COALESCE_MAX_BYTES;
import static io.switchboard.gateway.GatewayKeys.RESUME_COALESCE_TTL;
import static io.switchboard.gateway.GatewayKeys.RESUME_MAX_BUFFER_BYTES;
import static io.switchboard.gateway.GatewayKeys.RESUME_MAX_MESSAGES;
import static io.switchboard.gateway.GatewayKeys.RESUME_PAGE_SIZE;
import static io.switchboard.gateway.GatewayKeys.ROUTER_DNS_REFRESH;
import static io.switchboard.gateway.GatewayKeys.ROUTER_KEEPALIVE_TIME;
import static io.switchboard.gateway.GatewayKeys.ROUTER_KEEPALIVE_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.ROUTER_PUBLISH_STREAM;
import static io.switchboard.gateway.GatewayKeys.ROUTER_STREAM_ON_EVENT_LOOP;
import static io.switchboard.gateway.GatewayKeys.STARTUP_TIMEOUT;
import static io.switchboard.gateway.GatewayKeys.WS_PATH;
import io.switchboard.service.KafkaKeys;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.IntStream;

import com.github.benmanes.caffeine.cache.Ticker;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.auth.KeySet;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.gateway.admin.AdminStatus;
import io.switchboard.gateway.admin.DrillAdminService;
import io.switchboard.gateway.auth.ClientTokenVerifier;
import io.switchboard.gateway.debug.DebugSessions;
import io.switchboard.gateway.authz.RoomAuthorizer;
import io.switchboard.gateway.drain.DrainAdminService;
import io.switchboard.gateway.drain.DrainProgress;
import io.switchboard.gateway.drain.DrainSettings;
import io.switchboard.gateway.drain.GatewayDrain;
import io.switchboard.gateway.drain.PacedDrain;
import io.switchboard.gateway.fanout.KafkaFanout;
import io.switchboard.gateway.fanout.RoomRates;
import io.switchboard.gateway.fanout.SubscriptionRegistry;
import io.switchboard.roomlog.LocalRoomFeed;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.roomlog.RoomLogTopicLoader;
import io.switchboard.gateway.history.GrpcHistoryClient;
import io.switchboard.gateway.history.HistoryClient;
import io.switchboard.gateway.history.HistoryPager;
import io.switchboard.gateway.history.ResumeReader;
import io.switchboard.gateway.limits.EdgeLimits;
import io.switchboard.gateway.limits.LimitKeys;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.presence.GrpcPresenceClient;
import io.switchboard.gateway.presence.PresenceChanges;
import io.switchboard.gateway.presence.PresenceDirectory;
import io.switchboard.gateway.presence.PresenceReporter;
import io.switchboard.gateway.presence.PresenceReporters;
import io.switchboard.gateway.probe.DeliveryProbe;
import io.switchboard.gateway.probe.ProbeMetrics;
import io.switchboard.gateway.probe.ProbeRooms;
import io.switchboard.gateway.routing.ChannelFactory;
import io.switchboard.gateway.routing.GrpcRouterClient;
import io.switchboard.gateway.routing.RouterClient;
import io.switchboard.gateway.session.Admission;
import io.switchboard.gateway.session.ConflationPolicy;
import io.switchboard.gateway.session.ConnectionRegistry;
import io.switchboard.gateway.session.DirectMessageHandler;
import io.switchboard.gateway.session.EphemeralHandler;
import io.switchboard.gateway.session.LoopbackSubscriber;
import io.switchboard.gateway.session.PresenceQueryHandler;
import io.switchboard.gateway.session.PublishHandler;
import io.switchboard.gateway.observe.GatewaySpans;
import io.switchboard.service.telemetry.Tracing;
import io.switchboard.service.telemetry.TracingSettings;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.switchboard.gateway.session.SessionFactory;
import io.switchboard.gateway.session.SessionSettings;
import io.switchboard.gateway.signals.SignalConsumer;
import io.switchboard.gateway.sse.HttpFallback;
import io.switchboard.gateway.sse.SseKeys;
import io.switchboard.gateway.sse.SseSettings;
import io.switchboard.gateway.tls.ServingTls;
import io.switchboard.gateway.tls.TlsMetrics;
import io.switchboard.gateway.ws.UpgradeHeaderPrimer;
import io.switchboard.gateway.ws.TransportReaper;
import io.switchboard.gateway.ws.ProtocolKeys;
import io.switchboard.gateway.ws.ProtocolMetrics;
import io.switchboard.gateway.ws.ProtocolOffer;
import io.switchboard.gateway.ws.WriterLanes;
import io.switchboard.gateway.ws.WsProtocols;
import io.switchboard.gateway.ws.netty.NettyKeys;
import io.switchboard.gateway.ws.netty.NettySettings;
import io.switchboard.gateway.ws.netty.NettyWsListener;
import io.switchboard.gateway.warmup.PathWarmUp;
import io.switchboard.gateway.warmup.StartupWarmUp;
import io.switchboard.gateway.warmup.WarmUpKeys;
import io.switchboard.gateway.warmup.WarmUpMetrics;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;
import io.switchboard.service.InstanceIds;
import io.switchboard.service.ReleaseSteps;
import io.switchboard.service.TierLifecycle;
import io.grpc.ManagedChannelBuilder;

/**
 * One gateway: a Helidon SE web server with the WebSocket endpoint, {@code /metrics} and
 * {@code /observe/health/{live,ready}} on one port (and, with {@code gateway.netty.port}, a second WebSocket listener
 * on Netty serving the same sessions), a gRPC client to the routers and a Kafka fan-out consumer.
 *
 * <p>Lifecycle ({@link TierLifecycle}): {@link #start()} (once; binds the port, learns the Kafka topic, positions
 * the consumer, then reports ready); {@link #drain(Duration)} (readiness turns false, upgrades get HTTP 503, new
 * publishes get UNAVAILABLE, then a paced drain: batches of connections get a Drain frame and, once their
 * in-flight publishes are answered, close SERVER_SHUTDOWN 3000 "reconnect"; also started by
 * {@code POST /admin/drain}); {@link #stop(Duration)} (drain, then stop the consumer, the router and history
 * channels and the web server). Thread-safe: lifecycle transitions are serialized by the lifecycle's lock.
 *
 * <p>Size: this is the gateway's composition root: it builds every component from the configuration and owns the
 * order in which they start, drain and stop. The behaviour itself is in the {@code ws}, {@code session},
 * {@code routing}, {@code fanout}, {@code history}, {@code presence}, {@code signals} and {@code drain} packages.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GatewayServer.class.getName());
    private static final Duration COMPONENT_STOP_TIMEOUT = Duration.ofSeconds(5);
    /** The admin view's room rates: counted over this window, the busiest this many shown. */
    private static final Duration ROOM_RATE_WINDOW = Duration.ofSeconds(10);
    private static final int TOP_ROOMS = 10;

    private final GatewayConfig config;
    private final PrometheusRegistry registry;
    private final Consumer<HttpRouting.Builder> extraRouting;
    private final List<ProtocolOffer> additionalProtocols;
    private final Map<String, String> inProcessRouters;
    private final LocalRoomFeed localFeed;
    private final Clock clock;
    private final TierLifecycle lifecycle;
    private final ReleaseSteps release;
    private final Admission admission = new Admission();
    private final ConnectionRegistry connections;
    private final SubscriptionRegistry subscriptions = new SubscriptionRegistry();
    // The busiest rooms of the room log (counted by the fan-out thread), for the admin view.
    private final RoomRates roomRates = new RoomRates(ROOM_RATE_WINDOW, TOP_ROOMS, 10_000);
    private final TransportReaper reaper = new TransportReaper();
    private final AtomicReference<SessionFactory> sessions = new AtomicReference<>();
    // Debug mode: frame logging started through /admin/debug.
    private final DebugSessions debug;

    // Written by the start phase under the lifecycle's lock; volatile where health checks and the admin endpoint
    // read them from other threads.
    private volatile KafkaFanout fanout;
    private volatile GatewayDrain drain;
    private GatewayMetrics metrics;
    private TlsMetrics tlsMetrics;
    private EdgeLimits limits;
    private ScheduledExecutorService timer;
    private WriterLanes writerLanes;
    private RouterClient routerClient;
    private HistoryClient historyClient;
    private GrpcPresenceClient presenceClient;
    private PresenceReporters presenceReporter;
    private SignalConsumer signals;
    // Null when gateway.probe.interval is 0.
    private volatile DeliveryProbe probe;
    private ProbeMetrics probeMetrics;
    private WarmUpMetrics warmUpMetrics;
    private ProtocolMetrics protocolMetrics;
    // Null when gateway.http-fallback.enabled is false.
    private HttpFallback httpFallback;
    // Set once the gateway takes connections; the HTTP fallback checks each POST's token with it.
    private volatile ClientTokenVerifier clientVerifier;
    private KeySet keySet;
    // Built from gateway.authz.*: what each connection may do in which room.
    private RoomAuthorizer roomAuthorizer;
    private WebServer webServer;
    // Null unless gateway.netty.port is set.
    private NettyWsListener nettyListener;
    private volatile int port = -1;
    private volatile int nettyPort = -1;
    private volatile String gatewayId;
    // Off unless gateway.tracing.enabled (or a span exporter was given).
    private Tracing tracing;
    private final SpanExporter spanExporter;

    private GatewayServer(Builder b) {
        this.config = b.config;
        this.spanExporter = b.spanExporter;
        this.registry = b.registry;
        this.extraRouting = b.httpRouting;
        this.additionalProtocols = List.copyOf(b.additionalProtocols);
        this.inProcessRouters = Map.copyOf(b.inProcessRouters);
        this.localFeed = b.localFeed;
        this.clock = b.clock;
        this.connections = new ConnectionRegistry(config.get(LimitKeys.MAX_CONNECTIONS_PER_USER), reaper::sweep);
        this.debug = new DebugSessions(clock, config.get(ADMIN_DEBUG_MAX_DURATION));
        String name = "gateway" + config.find(ID).map(id -> " " + id).orElse("");
        System.Logger log = System.getLogger(GatewayServer.class.getName());
        this.lifecycle = new TierLifecycle(name, log);
        this.release = new ReleaseSteps(name, log);
    }

    /** A builder for a gateway with {@code config}. */
    public static Builder builder(GatewayConfig config) {
        return new Builder(config);
    }

    /**
     * Starts the gateway and returns once it is ready (Kafka consumer positioned).
     *
     * @throws IllegalStateException when called twice, or when a dependency (Kafka) is not reachable in time;
     *                               whatever was started is stopped again
     */
    public GatewayServer start() {
        try {
            lifecycle.start(this::startComponents, this::stopComponents);
        } catch (RuntimeException e) {
            if (lifecycle.state() != TierLifecycle.State.FAILED) {
                throw e; // not this call's start: already started
            }
            throw new IllegalStateException("Gateway failed to start: " + e.getMessage(), e);
        }
        LOG.info("gateway " + gatewayId + " listening on :" + port + (nettyPort < 0 ? "" : " and :" + nettyPort
                + " (Netty)"));
        return this;
    }

    private void startComponents() {
        GatewayConfig.logEffective(config);
        metrics = new GatewayMetrics(registry);
        metrics.readinessSource(this::isReady);
        limits = EdgeLimits.from(config, registry);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-gateway-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(reaper::sweep, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(debug::sweep, 1, 1, TimeUnit.SECONDS);
        tlsMetrics = new TlsMetrics(registry);
        Optional<ServingTls> tls = config.tls().map(t -> ServingTls.start(t, clock, tlsMetrics));
        protocolMetrics = new ProtocolMetrics(registry);
        WsProtocols protocols = new WsProtocols(ProtocolKeys.table(config).with(additionalProtocols),
                ProtocolKeys.batchLimits(config), protocolMetrics);
        timer.scheduleWithFixedDelay(limits::sweepHandshakes, 1, 1, TimeUnit.SECONDS);
        GrpcRouterClient.Builder routers = GrpcRouterClient.builder()
                .routers(config.routers())
                .channels(ChannelFactory.inProcessFirst(inProcessRouters, ChannelFactory.netty(this::channelBuilder,
                        config.get(ROUTER_KEEPALIVE_TIME), config.get(ROUTER_KEEPALIVE_TIMEOUT))))
                .breaker(config.routerBreaker())
                .publishStream(config.get(ROUTER_PUBLISH_STREAM))
                .publishStreamOnEventLoop(config.get(ROUTER_STREAM_ON_EVENT_LOOP))
                .clock(clock)
                .registry(registry);
        historyClient = config.find(HISTORY_ADDRESS)
                .<HistoryClient>map(replicas -> new GrpcHistoryClient(String.join(",", replicas),
                        GatewayKeys.GRPC_CLIENT_TLS.replicaChannel(config.settings(), replicas,
                                HistoryServiceGrpc.SERVICE_NAME, "switchboard-gateway", metrics::historyRetry),
                        config.get(HISTORY_TIMEOUT)))
                .orElseGet(HistoryClient::unconfigured);
        Consumer<HttpRouting.Builder> routing = extraRouting;
        if (config.get(SseKeys.ENABLED)) {
            httpFallback = new HttpFallback(SseSettings.from(config, config.get(MAX_FRAME_BYTES)),
                    new HttpFallback.Gateway(sessions::get, admission::isOpen, () -> clientVerifier, limits,
                            reaper::sweep, timer, connections::size, registry));
            routing = ((Consumer<HttpRouting.Builder>) httpFallback::register).andThen(extraRouting);
        }
        UpgradeHeaderPrimer.prime(); // before the first upgrade can arrive: see its Javadoc (a Helidon race)
        webServer = GatewayWebServer.build(config, registry, admission, new GatewayWebServer.Health(this::isReady,
                () -> fanout != null && fanout.isPositioned(), this::isAlive, this::probeHealthy),
                new GatewayWebServer.Admin(drainControl(), drillFanout(), debug, this::adminStatus), routing,
                protocols, sessions::get, reaper, tls.map(ServingTls::initial), limits).start();
        // Helidon logs a failed bind and returns a server that is not running (port -1) instead of throwing.
        if (!webServer.isRunning() || webServer.port() < 0) {
            throw new IllegalStateException("web server could not bind " + config.get(HOST) + ":" + config.get(PORT));
        }
        port = webServer.port();
        startNettyListener(protocols);
        tls.ifPresent(t -> {
            long every = t.settings().reloadInterval().toMillis();
            WebServer server = webServer;
            timer.scheduleWithFixedDelay(() -> t.check(server::reloadTls), every, every, TimeUnit.MILLISECONDS);
        });
        gatewayId = config.find(ID).orElseGet(() -> InstanceIds.defaultId("gateway") + "-" + port);
        TracingSettings tracingSettings = GatewayKeys.TELEMETRY.tracing(config.settings(), "switchboard-gateway",
                gatewayId);
        tracing = spanExporter != null ? Tracing.exportingTo(spanExporter, tracingSettings)
                : Tracing.start(tracingSettings);
        GatewaySpans spans = new GatewaySpans(tracing, gatewayId);
        config.routerDns().ifPresent(dns -> routers.dns(dns, config.get(ROUTER_DNS_REFRESH)));
        routerClient = routers.tracing(tracing).build().start();
        drain = new GatewayDrain(gatewayId, admission, connections, grace -> new DrainSettings(grace,
                config.get(DRAIN_BATCH_SIZE), config.get(DRAIN_BATCH_INTERVAL), config.get(DRAIN_RECONNECT_WINDOW)),
                clock);
        long deadline = System.nanoTime() + config.get(STARTUP_TIMEOUT).toNanos();
        RoomLogTopic layout;
        String kafka = config.get(KafkaKeys.BOOTSTRAP_SERVERS);
        try {
            Properties admin = new Properties();
            admin.putAll(config.consumerProperties());
            admin.put("bootstrap.servers", kafka);
            admin.putIfAbsent("client.id", "switchboard-gateway-admin");
            layout = RoomLogTopicLoader.load(admin, config.get(KafkaKeys.TOPIC_NAME), remaining(deadline));
            LOG.info("gateway " + gatewayId + " fans out " + layout);
            fanout = new KafkaFanout(kafka, "switchboard-gateway-" + gatewayId,
                    config.consumerProperties(), layout, subscriptions, metrics, roomRates, spans, localFeed,
                    config.get(LOCAL_FEED_FETCH_WAIT));
            fanout.start(remaining(deadline));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting the gateway", e);
        }
        roomAuthorizer = RoomAuthorizer.create(config.authz(), gatewayId, registry);
        Duration publishTimeout = config.get(PUBLISH_TIMEOUT);
        int maxPayload = config.get(MAX_PAYLOAD_BYTES);
        int laneCount = config.get(WRITER_LANES);
        if (laneCount > 0) {
            writerLanes = new WriterLanes("ws-writer-" + gatewayId, laneCount, config.get(WRITER_LANE_STALL)).start();
            metrics.writerLaneStallSource(writerLanes::stalls);
        }
        PublishHandler publishHandler = new PublishHandler(routerClient, publishTimeout, maxPayload, metrics, clock,
                spans);
        SessionFactory.Builder factory = SessionFactory.builder(gatewayId, sessionSettings())
                .clock(clock)
                .timer(timer)
                .bookkeeping(metrics, connections)
                .verifier(clientVerifier = verifier(), roomAuthorizer)
                .fanout(subscriptions, fanout, layout)
                .history(new ResumeReader(historyClient, config.get(RESUME_PAGE_SIZE),
                        config.get(RESUME_MAX_MESSAGES), config.get(RESUME_COALESCE_TTL),
                        config.get(RESUME_COALESCE_MAX_BYTES), metrics, Ticker.systemTicker(),
                        config.get(RESUME_COALESCE)), new HistoryPager(historyClient, layout, metrics))
                .routers(publishHandler,
                        new DirectMessageHandler(routerClient, publishTimeout, maxPayload),
                        new EphemeralHandler(routerClient, publishTimeout, config.get(MAX_EPHEMERAL_BYTES), clock))
                .admission(admission)
                .limits(limits::forConnection)
                .conflation(ConflationPolicy.from(config.settings()))
                .debug(debug);
        if (writerLanes != null) {
            factory.writerLanes(writerLanes);
        }
        startPresenceAndSignals(factory);
        sessions.set(factory.build());
        startProbe(layout);
        warmUp(layout, publishHandler);
        admission.ready();
    }

    /**
     * The Netty WebSocket listener when {@code gateway.netty.port} is set: the same sessions, admission, origin rule,
     * caps and limits as the main port (its upgrades are refused 503 until the gateway is ready, like the main
     * port's, but for the connect warm-up's own).
     */
    private void startNettyListener(WsProtocols protocols) {
        Optional<Integer> configured = config.find(NettyKeys.PORT);
        if (configured.isEmpty()) {
            return;
        }
        NettySettings settings = new NettySettings(config.get(HOST), configured.get(), config.get(GatewayKeys.WS_PATH),
                config.get(MAX_FRAME_BYTES), config.get(LimitKeys.MAX_HEADER_BYTES), config.get(GatewayKeys.IDLE_TIMEOUT),
                config.get(LimitKeys.HANDSHAKE_TIMEOUT));
        nettyListener = NettyWsListener.start(settings, new NettyWsListener.Gateway(sessions::get,
                admission::admitsUpgrade, protocols, limits, limits.capGate(reaper::sweep)));
        nettyPort = nettyListener.port();
    }

    /** The start-up warm-up before readiness ({@link StartupWarmUp}: messages, then connects). */
    private void warmUp(RoomLogTopic layout, PublishHandler publishHandler) {
        warmUpMetrics = new WarmUpMetrics(registry);
        long maxQueueBytes = config.get(MAX_OUTBOUND_QUEUE_BYTES);
        WriterLanes lanes = writerLanes;
        String host = config.get(HOST);
        String loopback = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1"
                : host.contains(":") ? "[" + host + "]" : host;
        List<URI> listeners = IntStream.of(port, nettyPort).filter(p -> p >= 0)
                .mapToObj(p -> URI.create("ws://" + loopback + ":" + p + config.get(WS_PATH))).toList();
        new StartupWarmUp(gatewayId, new StartupWarmUp.Settings(config.get(WarmUpKeys.MESSAGES),
                config.get(WarmUpKeys.CONNECTS), config.get(WarmUpKeys.MAX_DURATION), config.keySet().hs256Secret(),
                config.find(AUTH.issuer), config.find(AUTH.audience), config.tls().isPresent()), admission,
                warmUpMetrics, clock).run(settings -> new PathWarmUp(gatewayId,
                        ProbeRooms.of(layout.partitions(), layout::partitionOf), publishHandler, subscriptions,
                        (subprotocol, counted) -> new LoopbackSubscriber("warm-up-" + gatewayId + "-"
                                + subprotocol.token(), subprotocol, maxQueueBytes, metrics, lanes, counted), settings),
                listeners);
    }

    /** A channel to a router, presence or history, plaintext or TLS per {@code gateway.grpc-client.tls.*}. */
    private ManagedChannelBuilder<?> channelBuilder(String host, int port) {
        return GatewayKeys.GRPC_CLIENT_TLS.channelBuilder(config.settings(), host, port);
    }

    private ManagedChannelBuilder<?> channelBuilder(String target) {
        return GatewayKeys.GRPC_CLIENT_TLS.channelBuilder(config.settings(), target);
    }

    /** The delivery probe, unless {@code gateway.probe.interval} is 0. */
    private void startProbe(RoomLogTopic layout) {
        Duration interval = config.get(PROBE_INTERVAL);
        if (interval.isZero()) {
            return;
        }
        probeMetrics = new ProbeMetrics(registry);
        DeliveryProbe p = new DeliveryProbe(gatewayId, ProbeRooms.of(layout.partitions(), layout::partitionOf),
                routerClient, probeMetrics, new DeliveryProbe.Settings(interval, config.get(PROBE_TIMEOUT),
                config.get(PROBE_PEER_EXPIRY), config.get(PUBLISH_TIMEOUT)), new DeliveryProbe.Self() {
                    @Override
                    public int connections() {
                        return connections.size();
                    }

                    @Override
                    public boolean ready() {
                        return isReady();
                    }
                }, clock, System::nanoTime);
        p.start(subscriptions, timer);
        probe = p;
    }

    /** True unless the delivery probe runs and its latest resolved probe failed. */
    private boolean probeHealthy() {
        DeliveryProbe p = probe;
        return p == null || p.healthy();
    }

    /**
     * Starts presence reporting (when gateway.presence.address is set), the signal consumer and the token expiry
     * check (every second, on the timer, with the injected clock and the configured clock skew).
     */
    private void startPresenceAndSignals(SessionFactory.Builder factory) {
        PresenceChanges presence = PresenceChanges.NONE;
        PresenceDirectory directory = PresenceDirectory.unconfigured();
        Optional<List<String>> presenceAddresses = config.find(PRESENCE_ADDRESS);
        if (presenceAddresses.isPresent()) {
            presenceClient = new GrpcPresenceClient(presenceAddresses.get(), this::channelBuilder,
                    config.get(PRESENCE_TIMEOUT));
            presenceReporter = new PresenceReporters(PresenceReporter.Settings.of(gatewayId,
                    config.get(PRESENCE_REPORT_INTERVAL), config.get(PRESENCE_MAX_PENDING),
                    config.get(PRESENCE_TIMEOUT)), presenceClient.channels(), registry);
            presenceReporter.start();
            presence = presenceReporter;
            directory = presenceClient;
            limits.usePresence(presenceClient);
        }
        SignalConsumer.Topics topics = new SignalConsumer.Topics(config.get(KafkaKeys.EPHEMERAL_TOPIC_NAME),
                config.get(KafkaKeys.CONTROL_TOPIC_NAME), config.get(KafkaKeys.PRESENCE_TOPIC_NAME));
        signals = new SignalConsumer(config.get(KafkaKeys.BOOTSTRAP_SERVERS),
                "switchboard-gateway-signals-" + gatewayId, config.consumerProperties(), topics, gatewayId, subscriptions, connections, registry);
        signals.start();
        timer.scheduleWithFixedDelay(() -> connections.closeExpired(clock.instant().minus(config.get(AUTH.clockSkew))),
                1, 1, TimeUnit.SECONDS);
        factory.presence(presence, new PresenceQueryHandler(directory, signals::presenceFlowing));
    }

    private SessionSettings sessionSettings() {
        return new SessionSettings(config.get(CONNECT_TIMEOUT), config.get(CLOSE_TIMEOUT),
                config.get(MAX_SUBSCRIPTIONS), config.get(MAX_FRAME_BYTES), config.get(MAX_PAYLOAD_BYTES),
                config.get(MAX_OUTBOUND_QUEUE_BYTES), config.get(MAX_INFLIGHT_PUBLISHES),
                config.get(RESUME_MAX_BUFFER_BYTES));
    }

    /** Client tokens: the shared verifier over the configured key set, whose file or URL is read ahead. */
    private ClientTokenVerifier verifier() {
        keySet = KeySet.from(config.keySet());
        keySet.prefetch();
        return new ClientTokenVerifier(TokenVerifier.builder(keySet).clockSkew(config.get(AUTH.clockSkew)).clock(clock)
                .issuer(config.find(AUTH.issuer)).audience(config.find(AUTH.audience)).build());
    }

    /**
     * True while the gateway takes new connections: started, Kafka positioned, not draining, and (with
     * {@code gateway.probe.readiness}) its delivery probe healthy.
     */
    public boolean isReady() {
        KafkaFanout f = fanout;
        return admission.isOpen() && f != null && f.isPositioned()
                && (!config.get(PROBE_READINESS) || probeHealthy());
    }

    private boolean isAlive() {
        TierLifecycle.State s = lifecycle.state();
        KafkaFanout f = fanout;
        // A fan-out thread that died after start is fatal: this gateway would silently deliver nothing.
        return switch (s) {
            case NEW, STARTING -> true;
            case RUNNING, DRAINING -> f != null && f.isPositioned();
            case STOPPED, FAILED -> false;
        };
    }

    /**
     * Drains with {@code grace} as the budget and waits for it: readiness false, upgrades refused with 503 and
     * publishes with UNAVAILABLE from the start; then every {@code gateway.drain.batch-interval} the next
     * {@code gateway.drain.batch-size} connections get a Drain frame and, once their in-flight publishes are
     * answered, close SERVER_SHUTDOWN (3000, "reconnect"); at 80 % of {@code grace} the rest is closed at once
     * ({@link PacedDrain}); then waits for the closes within what is left of {@code grace}. A drain already
     * started (by {@code POST /admin/drain}) is joined instead of started again. Idempotent.
     *
     * @throws IllegalStateException when the gateway was not started
     */
    public void drain(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        PacedDrain d = beginDrain(grace);
        if (d != null) {
            drain.await(d, grace);
        }
    }

    /** Starts the paced drain unless one runs, else joins it; null when the gateway stopped without draining. */
    private PacedDrain beginDrain(Duration grace) {
        lifecycle.requireStarted();
        GatewayDrain d = drain;
        NettyWsListener netty = nettyListener;
        lifecycle.drain(() -> {
            if (netty != null) {
                netty.stopAccepting(); // new clients go to another gateway; open connections drain below
            }
            DeliveryProbe p = probe;
            if (p != null) {
                p.leave(); // peers forget this gateway now instead of counting it missing
            }
            d.begin(grace);
        });
        // begin() is idempotent: here it returns the drain the lifecycle started, now or earlier.
        return lifecycle.state() == TierLifecycle.State.DRAINING ? d.begin(grace) : null;
    }

    private DrainAdminService.Control drainControl() {
        return new DrainAdminService.Control() {
            @Override
            public int startDrain() {
                int open = connections.size();
                beginDrain(config.get(DRAIN_TIMEOUT));
                return open;
            }

            @Override
            public DrainProgress progress() {
                GatewayDrain d = drain;
                return d == null ? DrainProgress.serving(connections.size()) : d.progress();
            }
        };
    }

    /** What the admin view shows; empty until the fan-out runs. */
    private Optional<AdminStatus> adminStatus() {
        KafkaFanout f = fanout;
        String id = gatewayId;
        if (f == null || id == null) {
            return Optional.empty();
        }
        DeliveryProbe p = probe;
        return Optional.of(new AdminStatus(id, isReady(), admission.isDraining(), connections.size(), f.isPaused(),
                Optional.ofNullable(p).map(DeliveryProbe::status), routerClient.breakerStates(), roomRates.snapshot(),
                debug.list(), metrics.flowTotals()));
    }

    private DrillAdminService.Fanout drillFanout() {
        return new DrillAdminService.Fanout() {
            @Override
            public void pause(boolean paused) {
                started().pause(paused);
            }

            @Override
            public boolean isPaused() {
                return started().isPaused();
            }

            private KafkaFanout started() {
                KafkaFanout f = fanout;
                if (f == null) {
                    throw new IllegalStateException("Not started");
                }
                return f;
            }
        };
    }

    /** Drains within {@code grace}, then stops the consumer, the router channels and the web server. Idempotent. */
    public void stop(Duration grace) {
        TierLifecycle.State s = lifecycle.state();
        if (s == TierLifecycle.State.RUNNING || s == TierLifecycle.State.DRAINING) {
            drain(grace);
        }
        lifecycle.stop(this::stopComponents);
    }

    /** {@link #stop(Duration)} with {@code gateway.drain-timeout}. */
    @Override
    public void close() {
        stop(config.get(DRAIN_TIMEOUT));
    }

    /** Blocks until the gateway has stopped or failed to start. */
    public void awaitTermination() throws InterruptedException {
        lifecycle.awaitTermination();
    }

    /** Stops whatever was started, in dependency order; each step runs even if an earlier one failed. */
    private void stopComponents() {
        release.run("cancel the drain", drain, GatewayDrain::cancel);
        connections.abortAll();
        release.run("stop the signal consumer", signals, c -> c.stop(COMPONENT_STOP_TIMEOUT));
        // Reports the closes of the drain first.
        release.run("stop the delivery probe", probe, p -> p.stop(subscriptions));
        release.run("stop presence reporting", presenceReporter, r -> r.stop(COMPONENT_STOP_TIMEOUT));
        release.run("close the presence channel", presenceClient, c -> c.close(COMPONENT_STOP_TIMEOUT));
        release.run("stop the fan-out", fanout, f -> f.stop(COMPONENT_STOP_TIMEOUT));
        release.run("close the router channels", routerClient, c -> c.close(COMPONENT_STOP_TIMEOUT));
        release.run("close the history channel", historyClient, c -> c.close(COMPONENT_STOP_TIMEOUT));
        release.run("flush the spans", tracing, Tracing::close);
        release.run("stop the Netty listener", nettyListener, l -> l.stop(COMPONENT_STOP_TIMEOUT));
        release.run("stop the web server", webServer, WebServer::stop);
        release.run("stop the writer lanes", writerLanes, WriterLanes::stop);
        release.run("stop the timer", timer, ScheduledExecutorService::shutdownNow);
        release.run("close the key set", keySet, KeySet::close);
        release.run("close the room authorizer", roomAuthorizer, RoomAuthorizer::close);
        release.run("unregister metrics", metrics, GatewayMetrics::close);
        release.run("unregister TLS metrics", tlsMetrics, TlsMetrics::close);
        release.run("unregister limit metrics", limits, EdgeLimits::close);
        release.run("unregister probe metrics", probeMetrics, ProbeMetrics::close);
        release.run("unregister warm-up metrics", warmUpMetrics, WarmUpMetrics::close);
        release.run("unregister protocol metrics", protocolMetrics, ProtocolMetrics::close);
        release.run("unregister HTTP fallback metrics", httpFallback, HttpFallback::close);
    }

    /** The bound port. */
    public int port() {
        int p = port;
        if (p < 0) {
            throw new IllegalStateException("Not started");
        }
        return p;
    }

    /** The Netty WebSocket listener's bound port; empty unless {@code gateway.netty.port} is set. */
    public OptionalInt nettyPort() {
        int p = nettyPort;
        return p < 0 ? OptionalInt.empty() : OptionalInt.of(p);
    }

    /** This gateway's id (configured, or derived from host name and port at start). */
    public String gatewayId() {
        String id = gatewayId;
        if (id == null) {
            throw new IllegalStateException("Not started");
        }
        return id;
    }

    /** {@code "wss"} when the gateway serves TLS ({@code gateway.tls.*}), else {@code "ws"}. */
    public String webSocketScheme() {
        return config.tls().isPresent() ? "wss" : "ws";
    }

    /** {@code "https"} when the gateway serves TLS, else {@code "http"}: its health, metrics and admin endpoints. */
    public String httpScheme() {
        return config.tls().isPresent() ? "https" : "http";
    }

    /** Open client connections: WebSockets and HTTP fallback streams. */
    public int connectionCount() {
        return connections.size();
    }

    public GatewayConfig config() {
        return config;
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /** Builder of a {@link GatewayServer}. Not thread-safe. */
    public static final class Builder {
        private final GatewayConfig config;
        private PrometheusRegistry registry;
        private Consumer<HttpRouting.Builder> httpRouting = r -> { };
        private Clock clock = Clock.systemUTC();
        private SpanExporter spanExporter;
        private List<ProtocolOffer> additionalProtocols = List.of();
        private Map<String, String> inProcessRouters = Map.of();
        private LocalRoomFeed localFeed;

        private Builder(GatewayConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The registry metrics go to; by default a fresh one (never the global default registry). */
        public Builder registry(PrometheusRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Extra HTTP routes on the gateway's port (e.g. the launcher's demo page at "/"). */
        public Builder httpRouting(Consumer<HttpRouting.Builder> httpRouting) {
            this.httpRouting = Objects.requireNonNull(httpRouting, "httpRouting");
            return this;
        }

        /**
         * Subprotocols offered next to the configured v1 ones ({@code gateway.protocol.*}), e.g. a newer protocol
         * version served side by side with v1 (docs/protocol.md section 12); none by default.
         */
        public Builder additionalProtocols(List<ProtocolOffer> offers) {
            this.additionalProtocols = List.copyOf(offers);
            return this;
        }

        /**
         * Routers of {@code gateway.routers} that run in this JVM and serve {@code RouterService} in-process: each
         * {@code host:port} as listed there, mapped to its in-process name ({@code RouterServer.Builder
         * .inProcessName}). The gateway reaches them through grpc-java's in-process transport instead of TCP (the
         * single-process launcher's {@code launcher.in-process-grpc}); none by default.
         */
        public Builder inProcessRouters(Map<String, String> namesByAddress) {
            this.inProcessRouters = Map.copyOf(namesByAddress);
            return this;
        }

        /**
         * The room records the routers of this JVM hand over as they store them ({@code RouterServer.Builder
         * .localFeed}): the fan-out dispatches them at once and its consumer reads in batches of up to {@code
         * gateway.local-feed.fetch-wait}, catching up on what was not handed over (the single-process launcher's
         * {@code launcher.local-feed}); none by default.
         */
        public Builder localFeed(LocalRoomFeed feed) {
            this.localFeed = Objects.requireNonNull(feed, "feed");
            return this;
        }

        /** The clock for token expiry and server timestamps. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Traces whatever {@code gateway.tracing.enabled} says, every span handed to {@code exporter} as it ends
         * (tests: the SDK's in-memory exporter) instead of OTLP.
         */
        public Builder spanExporter(SpanExporter exporter) {
            this.spanExporter = Objects.requireNonNull(exporter, "exporter");
            return this;
        }

        public GatewayServer build() {
            if (registry == null) {
                registry = new PrometheusRegistry();
            }
            return new GatewayServer(this);
        }
    }
}
