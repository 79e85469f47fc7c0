package io.switchboard.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.websocket.WsConfig;
import com.github.benmanes.caffeine.cache.Ticker;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.auth.KeySet;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.gateway.auth.ClientTokenVerifier;
import io.switchboard.gateway.authz.RoomAuthorizer;
import io.switchboard.gateway.drain.DrainAdminService;
import io.switchboard.gateway.drain.DrainProgress;
import io.switchboard.gateway.drain.DrainSettings;
import io.switchboard.gateway.drain.DrainTarget;
import io.switchboard.gateway.drain.PacedDrain;
import io.switchboard.gateway.fanout.KafkaFanout;
import io.switchboard.gateway.fanout.SubscriptionRegistry;
import io.switchboard.gateway.fanout.TopicLayout;
import io.switchboard.gateway.fanout.TopicLayoutLoader;
import io.switchboard.gateway.history.GrpcHistoryClient;
import io.switchboard.gateway.history.HistoryClient;
import io.switchboard.gateway.history.HistoryPager;
import io.switchboard.gateway.history.ResumeReader;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.observe.MetricsService;
import io.switchboard.gateway.observe.HealthChecks;
import io.switchboard.gateway.presence.GrpcPresenceClient;
import io.switchboard.gateway.presence.PresenceChanges;
import io.switchboard.gateway.presence.PresenceDirectory;
import io.switchboard.gateway.presence.PresenceReporter;
import io.switchboard.gateway.routing.ChannelFactory;
import io.switchboard.gateway.routing.GrpcRouterClient;
import io.switchboard.gateway.routing.RouterClient;
import io.switchboard.gateway.session.Admission;
import io.switchboard.gateway.session.ConnectionRegistry;
import io.switchboard.gateway.session.DirectMessageHandler;
import io.switchboard.gateway.session.EphemeralHandler;
import io.switchboard.gateway.session.PresenceQueryHandler;
import io.switchboard.gateway.session.PublishHandler;
import io.switchboard.gateway.session.SessionFactory;
import io.switchboard.gateway.session.SessionSettings;
import io.switchboard.gateway.signals.SignalConsumer;
import io.switchboard.gateway.ws.WsEndpoint;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * One gateway: a Helidon SE web server with the WebSocket endpoint, {@code /metrics} and
 * {@code /observe/health/{live,ready}} on one port, a gRPC client to the routers and a Kafka fan-out consumer.
 *
 * <p>Lifecycle: {@link #start()} (once; binds the port, learns the Kafka topic, positions the consumer, then
 * reports ready); {@link #drain(Duration)} (readiness turns false, upgrades get HTTP 503, new publishes get
 * UNAVAILABLE, then a paced drain: batches of connections get a Drain frame and, once their in-flight publishes
 * are answered, close SERVER_SHUTDOWN 3000 "reconnect"; also started by {@code POST /admin/drain});
 * {@link #stop(Duration)} (drain, then stop the consumer, the router and history channels and the web server).
 * Thread-safe: lifecycle transitions are serialized on a lock.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GatewayServer.class.getName());
    private static final Duration COMPONENT_STOP_TIMEOUT = Duration.ofSeconds(5);

    private enum Phase { NEW, STARTING, RUNNING, DRAINING, DRAINED, STOPPED }

    private final GatewayConfig config;
    private final PrometheusRegistry registry;
    private final Consumer<HttpRouting.Builder> extraRouting;
    private final Clock clock;
    private final Admission admission = new Admission();
    private final ConnectionRegistry connections = new ConnectionRegistry();
    private final SubscriptionRegistry subscriptions = new SubscriptionRegistry();
    private final AtomicReference<SessionFactory> sessions = new AtomicReference<>();
    private final Object lifecycle = new Object();

    // @GuardedBy("lifecycle") for writes; volatile for the health checks that read them.
    private volatile Phase phase = Phase.NEW;
    private volatile KafkaFanout fanout;
    private GatewayMetrics metrics;
    private ScheduledExecutorService timer;
    private RouterClient routerClient;
    private HistoryClient historyClient;
    private GrpcPresenceClient presenceClient;
    private PresenceReporter presenceReporter;
    private SignalConsumer signals;
    private KeySet keySet;
    // Built from gateway.authz.* (validated, metrics registered); sessions do not call it yet.
    private RoomAuthorizer roomAuthorizer;
    private WebServer webServer;
    private volatile int port = -1;
    private volatile String gatewayId;
    // Written under "lifecycle" once; read by the admin endpoint.
    private volatile PacedDrain pacedDrain;

    private GatewayServer(Builder b) {
        this.config = b.config;
        this.registry = b.registry;
        this.extraRouting = b.httpRouting;
        this.clock = b.clock;
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
        synchronized (lifecycle) {
            if (phase != Phase.NEW) {
                throw new IllegalStateException("Already started");
            }
            phase = Phase.STARTING;
            try {
                doStart();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopComponents();
                phase = Phase.STOPPED;
                throw new IllegalStateException("Interrupted while starting the gateway", e);
            } catch (RuntimeException e) {
                stopComponents();
                phase = Phase.STOPPED;
                throw new IllegalStateException("Gateway failed to start: " + e.getMessage(), e);
            }
            phase = Phase.RUNNING;
        }
        LOG.info("gateway " + gatewayId + " listening on :" + port);
        return this;
    }

    private void doStart() throws InterruptedException {
        GatewayConfig.logEffective(config);
        metrics = new GatewayMetrics(registry);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-gateway-timer");
            t.setDaemon(true);
            return t;
        });
        GrpcRouterClient.Builder routers = GrpcRouterClient.builder()
                .routers(config.routers())
                .channels(ChannelFactory.plaintext(config.routerKeepAliveTime(), config.routerKeepAliveTimeout()))
                .breaker(config.routerBreaker())
                .clock(clock)
                .registry(registry);
        config.routerDns().ifPresent(dns -> routers.dns(dns, config.routerDnsRefresh()));
        routerClient = routers.build().start();
        historyClient = config.historyAddress()
                .<HistoryClient>map(a -> new GrpcHistoryClient(a, config.historyTimeout()))
                .orElseGet(HistoryClient::unconfigured);
        webServer = buildWebServer().start();
        // Helidon logs a failed bind and returns a server that is not running (port -1) instead of throwing.
        if (!webServer.isRunning() || webServer.port() < 0) {
            throw new IllegalStateException("web server could not bind " + config.host() + ":" + config.port());
        }
        port = webServer.port();
        gatewayId = config.gatewayId().orElseGet(() -> hostName() + "-" + port);
        long deadline = System.nanoTime() + config.startupTimeout().toNanos();
        TopicLayout layout = TopicLayoutLoader.load(config.bootstrapServers(), config.topic(),
                config.consumerProperties(), remaining(deadline));
        LOG.info("gateway " + gatewayId + " fans out " + layout);
        fanout = new KafkaFanout(config.bootstrapServers(), "switchboard-gateway-" + gatewayId,
                config.consumerProperties(), layout, subscriptions, metrics);
        fanout.start(remaining(deadline));
        roomAuthorizer = RoomAuthorizer.create(config.authz(), gatewayId, registry);
        SessionFactory.Builder factory = SessionFactory.builder(gatewayId, settings())
                .clock(clock)
                .timer(timer)
                .bookkeeping(metrics, connections)
                .verifier(verifier())
                .fanout(subscriptions, fanout, layout)
                .history(new ResumeReader(historyClient, config.resumePageSize(), config.resumeMaxMessages(),
                        config.resumeCoalesceTtl(), config.resumeCoalesceMaxBytes(), metrics, Ticker.systemTicker(),
                        config.resumeCoalesce()), new HistoryPager(historyClient, layout, metrics))
                .routers(new PublishHandler(routerClient, config.publishTimeout(), config.maxPayloadBytes(), metrics, clock),
                        new DirectMessageHandler(routerClient, config.publishTimeout(), config.maxPayloadBytes()),
                        new EphemeralHandler(routerClient, config.publishTimeout(), config.maxEphemeralBytes(), clock))
                .admission(admission);
        startPresenceAndSignals(factory);
        sessions.set(factory.build());
        admission.ready();
    }

    private WebServer buildWebServer() {
        HealthObserver health = HealthObserver.builder()
                .useSystemServices(false)
                .details(true)
                .addCheck(HealthChecks.readiness(this::isReady, () -> fanout != null && fanout.isPositioned(),
                        admission::isDraining))
                .addCheck(HealthChecks.liveness(this::isAlive))
                .build();
        return WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                .featuresDiscoverServices(false)
                .idleConnectionTimeout(config.idleTimeout())
                .addProtocol(WsConfig.builder().maxFrameLength(config.maxFrameBytes()).build())
                .addFeature(ObserveFeature.just(health))
                .routing(r -> {
                    r.addFilter((chain, req, res) -> {
                        // Upgrades pass through HTTP filters in Helidon 4.5: refuse them while not ready or draining.
                        if (req.path().path().equals(config.wsPath()) && !admission.isOpen()) {
                            res.status(Status.SERVICE_UNAVAILABLE_503).send();
                            return;
                        }
                        chain.proceed();
                    });
                    r.register("/metrics", new MetricsService(registry));
                    r.register("/admin", new DrainAdminService(config.adminToken(), drainControl()));
                    extraRouting.accept(r);
                })
                .addRouting(WsEndpoint.routing(config.wsPath(), config.maxFrameBytes(), sessions::get))
                .build();
    }

    /**
     * Starts presence reporting (when gateway.presence.address is set), the signal consumer and the token expiry
     * check (every second, on the timer, with the injected clock and the configured clock skew).
     */
    private void startPresenceAndSignals(SessionFactory.Builder factory) {
        PresenceChanges presence = PresenceChanges.NONE;
        PresenceDirectory directory = PresenceDirectory.unconfigured();
        if (config.presenceAddress().isPresent()) {
            presenceClient = new GrpcPresenceClient(config.presenceAddress().get(), config.presenceTimeout());
            presenceReporter = new PresenceReporter(PresenceReporter.Settings.of(gatewayId,
                    config.presenceReportInterval(), config.presenceMaxPending(), config.presenceTimeout()),
                    presenceClient.channel(), registry);
            presenceReporter.start();
            presence = presenceReporter;
            directory = presenceClient;
        }
        signals = new SignalConsumer(config.bootstrapServers(), "switchboard-gateway-signals-" + gatewayId,
                config.consumerProperties(), new SignalConsumer.Topics(config.ephemeralTopic(), config.controlTopic(),
                config.presenceTopic()), gatewayId, subscriptions, connections, registry);
        signals.start();
        timer.scheduleWithFixedDelay(() -> connections.closeExpired(clock.instant().minus(config.clockSkew())),
                1, 1, TimeUnit.SECONDS);
        factory.presence(presence, new PresenceQueryHandler(directory));
    }

    private SessionSettings settings() {
        return new SessionSettings(config.connectTimeout(), config.closeTimeout(), config.maxSubscriptions(),
                config.maxFrameBytes(), config.maxPayloadBytes(), config.maxOutboundQueueBytes(),
                config.maxInflightPublishes(), config.resumeMaxBufferBytes());
    }

    /** Client tokens: the shared verifier over the configured key set, whose file or URL is read ahead. */
    private ClientTokenVerifier verifier() {
        keySet = KeySet.from(config.keySet());
        keySet.prefetch();
        return new ClientTokenVerifier(TokenVerifier.builder(keySet).clockSkew(config.clockSkew()).clock(clock)
                .issuer(config.issuer()).audience(config.audience()).build());
    }

    /** True while the gateway takes new connections: started, Kafka positioned, not draining. */
    public boolean isReady() {
        KafkaFanout f = fanout;
        return admission.isOpen() && f != null && f.isPositioned();
    }

    private boolean isAlive() {
        Phase p = phase;
        KafkaFanout f = fanout;
        // A fan-out thread that died after start is fatal: this gateway would silently deliver nothing.
        return p != Phase.STOPPED && (p == Phase.STARTING || p == Phase.NEW || (f != null && f.isPositioned()));
    }

    /**
     * Drains with {@code grace} as the budget and waits for it: readiness false, upgrades refused with 503 and
     * publishes with UNAVAILABLE from the start; then every {@code gateway.drain.batch-interval} the next
     * {@code gateway.drain.batch-size} connections get a Drain frame and, once their in-flight publishes are
     * answered, close SERVER_SHUTDOWN (3000, "reconnect"); at 80 % of {@code grace} the rest is closed at once
     * ({@link PacedDrain}); then waits for the closes within what is left of {@code grace}. A drain already
     * started (by {@code POST /admin/drain}) is joined instead of started again. Idempotent.
     */
    public void drain(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        long deadline = System.nanoTime() + grace.toNanos();
        PacedDrain d = beginDrain(grace);
        if (d == null) {
            return;
        }
        try {
            d.completion().get(grace.toNanos(), TimeUnit.NANOSECONDS);
            if (!connections.awaitEmpty(remaining(deadline))) {
                LOG.info("gateway " + gatewayId + ": " + connections.size() + " connections still closing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connections.closeAll(ErrorCode.SERVER_SHUTDOWN, "reconnect");
        } catch (TimeoutException e) {
            LOG.warning("gateway " + gatewayId + ": drain did not finish in " + grace + "; closing the rest at once");
            connections.closeAll(ErrorCode.SERVER_SHUTDOWN, "reconnect");
        } catch (ExecutionException | CancellationException e) {
            LOG.log(Level.WARNING, "gateway " + gatewayId + ": drain failed; closing the rest at once", e);
            connections.closeAll(ErrorCode.SERVER_SHUTDOWN, "reconnect");
        }
    }

    /** Starts the paced drain unless one exists; null when the gateway stopped without draining. */
    private PacedDrain beginDrain(Duration grace) {
        synchronized (lifecycle) {
            if (phase == Phase.NEW || phase == Phase.STARTING) {
                throw new IllegalStateException("Not started");
            }
            if (pacedDrain != null || phase != Phase.RUNNING) {
                return pacedDrain;
            }
            phase = Phase.DRAINING;
            admission.startDraining();
            LOG.info("gateway " + gatewayId + " draining " + connections.size() + " connections ("
                    + admission.publishesInFlight() + " publishes in flight) within " + grace);
            PacedDrain d = new PacedDrain(new DrainSettings(grace, config.drainBatchSize(),
                    config.drainBatchInterval(), config.drainReconnectWindow()),
                    () -> connections.snapshot().stream().map(DrainTarget::of).toList(), connections::size, clock);
            pacedDrain = d;
            d.start().whenComplete((report, failure) -> {
                if (report != null) {
                    LOG.info("gateway " + gatewayId + " drained: " + report);
                }
                synchronized (lifecycle) {
                    if (phase == Phase.DRAINING) {
                        phase = Phase.DRAINED;
                    }
                }
            });
            return d;
        }
    }

    private DrainAdminService.Control drainControl() {
        return new DrainAdminService.Control() {
            @Override
            public int startDrain() {
                int open = connections.size();
                beginDrain(config.drainTimeout());
                return open;
            }

            @Override
            public DrainProgress progress() {
                PacedDrain d = pacedDrain;
                return d == null ? DrainProgress.serving(connections.size()) : d.progress();
            }
        };
    }

    /** Drains within {@code grace}, then stops the consumer, the router channels and the web server. Idempotent. */
    public void stop(Duration grace) {
        synchronized (lifecycle) {
            if (phase == Phase.STOPPED) {
                return;
            }
            if (phase == Phase.NEW) {
                phase = Phase.STOPPED;
                return;
            }
        }
        drain(grace);
        synchronized (lifecycle) {
            if (phase == Phase.STOPPED) {
                return;
            }
            phase = Phase.STOPPED;
            stopComponents();
        }
        LOG.info("gateway " + gatewayId + " stopped");
    }

    /** {@link #stop(Duration)} with {@code gateway.drain-timeout}. */
    @Override
    public void close() {
        stop(config.drainTimeout());
    }

    // @GuardedBy("lifecycle")
    private void stopComponents() {
        PacedDrain d = pacedDrain;
        if (d != null) {
            d.cancel();
        }
        connections.abortAll();
        if (signals != null) {
            signals.stop(COMPONENT_STOP_TIMEOUT);
        }
        if (presenceReporter != null) {
            presenceReporter.stop(COMPONENT_STOP_TIMEOUT); // reports the closes of the drain first
        }
        if (presenceClient != null) {
            presenceClient.close(COMPONENT_STOP_TIMEOUT);
        }
        if (fanout != null) {
            fanout.stop(COMPONENT_STOP_TIMEOUT);
        }
        if (routerClient != null) {
            routerClient.close(COMPONENT_STOP_TIMEOUT);
        }
        if (historyClient != null) {
            historyClient.close(COMPONENT_STOP_TIMEOUT);
        }
        if (webServer != null) {
            try {
                webServer.stop();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Web server did not stop cleanly", e);
            }
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        if (keySet != null) {
            keySet.close();
        }
        if (roomAuthorizer != null) {
            roomAuthorizer.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    /** The bound port. */
    public int port() {
        int p = port;
        if (p < 0) {
            throw new IllegalStateException("Not started");
        }
        return p;
    }

    /** This gateway's id (configured, or derived from host name and port at start). */
    public String gatewayId() {
        String id = gatewayId;
        if (id == null) {
            throw new IllegalStateException("Not started");
        }
        return id;
    }

    /** Open WebSocket connections. */
    public int connectionCount() {
        return connections.size();
    }

    public GatewayConfig config() {
        return config;
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            LOG.log(Level.FINE, "No local host name; using 'gateway'", e);
            return "gateway";
        }
    }

    /** Builder of a {@link GatewayServer}. Not thread-safe. */
    public static final class Builder {
        private final GatewayConfig config;
        private PrometheusRegistry registry;
        private Consumer<HttpRouting.Builder> httpRouting = r -> { };
        private Clock clock = Clock.systemUTC();

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

        /** The clock for token expiry and server timestamps. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
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
