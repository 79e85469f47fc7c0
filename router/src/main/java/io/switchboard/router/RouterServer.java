package io.switchboard.router;

import static io.switchboard.router.RouterKeys.DEDUP_FOLLOW_LOG;
import static io.switchboard.router.RouterKeys.DEDUP_MAX_ENTRIES;
import static io.switchboard.router.RouterKeys.DEDUP_TTL;
import static io.switchboard.router.RouterKeys.EPHEMERAL_MIN_INTERVAL;
import static io.switchboard.router.RouterKeys.EPHEMERAL_TTL;
import static io.switchboard.router.RouterKeys.GRPC_PORT;
import static io.switchboard.router.RouterKeys.GRPC_STREAM_ON_EVENT_LOOP;
import static io.switchboard.router.RouterKeys.HISTORY_ADDRESS;
import static io.switchboard.router.RouterKeys.ID;
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

import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.roomlog.LocalRoomFeed;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.router.api.SwitchboardApiService;
import io.switchboard.router.kafka.KafkaEnvelopeLog;
import io.switchboard.router.kafka.PresenceRecordListener;
import io.switchboard.router.kafka.RoomLogIndexer;
import io.switchboard.router.kafka.TopicBootstrap;
import io.switchboard.service.GrpcServerRuntime;
import io.switchboard.service.HttpEndpoints;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.ReleaseSteps;
import io.switchboard.service.ServiceMain;
import io.switchboard.service.TierLifecycle;
import io.switchboard.service.telemetry.Tracing;
import io.switchboard.service.telemetry.TracingSettings;
import io.switchboard.service.tls.ServerTls;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One router: the gRPC server ({@code RouterService}, health, reflection), its Kafka producer and its
 * metrics/health HTTP endpoint, with an explicit lifecycle.
 *
 * <p>Besides {@code RouterService} it can serve further gRPC services on the same port ({@link
 * Builder#extraServices}, e.g. the public {@code SwitchboardApi}), and serve its own {@code RouterService}
 * in-process under a name ({@link Builder#inProcessName}) so that such a service, or a gateway in the same JVM,
 * can call the router through an in-process channel ({@code InProcessChannelBuilder.forName(name)}) without a
 * network hop. With {@code router.presence.address} set it also follows the presence topic to invalidate its
 * presence cache.
 *
 * <p>{@link #start()} bootstraps the topics, warms the producer, binds the ports and only then reports
 * SERVING; it fails (once, cleaning up) when Kafka is not reachable within {@code router.startup-timeout}.
 * {@link #drain()} reports NOT_SERVING and refuses new calls, in-process ones too (open publish streams answer new
 * requests UNAVAILABLE and complete once their requests are answered); {@link #shutdown(Duration)} drains, lets
 * in-flight publishes get Kafka's acknowledgement within the grace period, closes the producer (failing what
 * is left, which answers UNAVAILABLE) and then forces the server down. Each instance registers its metrics
 * in the registry it is given and removes them on shutdown: give concurrently running routers separate
 * registries.
 *
 * <p>Thread-safe: lifecycle methods serialize on one lock; {@link #port()} and friends may be called from
 * any thread.
 *
 * <p>Size: this is the router's composition root (it wires the services, the producer, the caches and the
 * endpoints, and owns their start and release order); the request handling is in {@link PublishService},
 * {@link EphemeralService}, {@link DirectMessageService} and {@link ControlService}.
 */
public final class RouterServer implements ServiceMain.Service {
    private static final System.Logger LOG = System.getLogger(RouterServer.class.getName());
    /** Room for the envelope's other fields on top of the payload limit, so the transport rejects only abuse. */
    private static final int ENVELOPE_OVERHEAD_BYTES = 64 * 1024;
    private static final String PUBLISH_STREAM = RouterServiceGrpc.getPublishStreamMethod().getFullMethodName();
    private static final Duration FORCED_STOP_WAIT = Duration.ofSeconds(2);
    /** Open throttle windows kept at most; when full, the oldest go, which only lets an extra event through. */
    private static final long THROTTLE_MAX_ENTRIES = 100_000;
    /**
     * The longest a publish that may repeat one stored elsewhere waits for the room-log index (a few of its idle
     * polls); past it the publish goes on and may be stored twice.
     */
    private static final Duration CATCH_UP_WAIT = Duration.ofSeconds(1);

    private final RouterConfig config;
    private final PrometheusRegistry registry;
    private final List<BindableService> extraServices;
    private final String inProcessName;
    /** Record timestamps, received times and (when not the system clock) dedup expiry. */
    private final InstantSource clock;
    private final boolean systemClock;
    private final TierLifecycle lifecycle;
    private final ReleaseSteps steps;
    private final SpanExporter spanExporter;
    private final LocalRoomFeed localFeed;

    // Written by the lifecycle phases under its lock; published to other threads through its volatile state.
    private GrpcServerRuntime grpc;
    private RouterGrpcService routerService;
    private HttpEndpoints http;
    private EnvelopeLog log;
    private RouterMetrics metrics;
    private EventMetrics eventMetrics;
    private Server inProcess;
    private Server apiInProcess;
    private List<ManagedChannel> presenceChannels = List.of();
    private ManagedChannel historyChannel;
    private SwitchboardApiService api;
    private ManagedChannel apiRouterChannel;
    private PresenceRecordListener presenceListener;
    private RoomLogIndexer logIndex;
    /** Runs the publishes held behind a catch-up with the room log (virtual threads: send() may wait). */
    private ExecutorService heldPublishes;
    private InFlightLimiter limiter;
    // Off unless router.tracing.enabled (or a span exporter was given).
    private Tracing tracing;
    /** The bound ports, kept so that they can still be reported after shutdown. */

    private RouterServer(Builder b) {
        this.config = b.config;
        this.registry = b.registry;
        this.extraServices = List.copyOf(b.extraServices);
        this.inProcessName = b.inProcessName;
        this.clock = b.clock != null ? b.clock : InstantSource.system();
        this.systemClock = b.clock == null;
        this.lifecycle = new TierLifecycle("router " + config.get(ID), LOG);
        this.steps = new ReleaseSteps("router " + config.get(ID), LOG);
        this.spanExporter = b.spanExporter;
        this.localFeed = b.localFeed;
    }

    /** A router that has not started yet. Nothing is bound or registered until {@link #start()}. */
    public static RouterServer create(RouterConfig config, PrometheusRegistry registry) {
        return builder(config, registry).build();
    }

    /** A builder for a router with extra services or an in-process name. */
    public static Builder builder(RouterConfig config, PrometheusRegistry registry) {
        return new Builder(config, registry);
    }

    /**
     * Starts the router and returns once it serves. Blocks up to {@code router.startup-timeout} for Kafka.
     *
     * @throws IllegalStateException when already started, or Kafka or the topic is not usable in time
     * @throws UncheckedIOException  when a port cannot be bound
     */
    public void start() {
        lifecycle.start(this::startComponents, () -> release(Duration.ZERO));
    }

    private void startComponents() {
        long deadline = System.nanoTime() + config.get(STARTUP_TIMEOUT).toNanos();
        limiter = new InFlightLimiter(config.get(MAX_IN_FLIGHT));
        DedupCache dedup = new DedupCache(config.get(DEDUP_MAX_ENTRIES), config.get(DEDUP_TTL), ticker());
        metrics = new RouterMetrics(registry, limiter::inFlight, dedup::size);
        if (config.get(METRICS_PORT) >= 0) {
            // First, so that liveness answers while Kafka is being waited for.
            http = HttpEndpoints.start("router", config.get(METRICS_PORT), registry, this::isReady);
        }
        RoomLogTopic topic = TopicBootstrap.ensure(KafkaSettings.admin(config), KafkaSettings.topic(config),
                rooms -> List.of(KafkaSettings.ephemeralTopic(config, rooms.partitions()),
                        KafkaSettings.controlTopic(config)),
                config.get(STARTUP_TIMEOUT)).getFirst();
        Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), config.get(MAX_BLOCK).toNanos()));
        TracingSettings tracingSettings = RouterKeys.TELEMETRY.tracing(config.settings(), "switchboard-router",
                config.get(ID));
        tracing = spanExporter != null ? Tracing.exportingTo(spanExporter, tracingSettings)
                : Tracing.start(tracingSettings);
        KafkaEnvelopeLog kafkaLog = KafkaEnvelopeLog.start(KafkaSettings.producer(config), topic,
                List.of(config.get(KafkaKeys.EPHEMERAL_TOPIC_NAME), config.get(KafkaKeys.CONTROL_TOPIC_NAME)), left,
                tracing, localFeed);
        log = kafkaLog;
        EventLog events = kafkaLog.events(config.get(KafkaKeys.EPHEMERAL_TOPIC_NAME),
                config.get(KafkaKeys.CONTROL_TOPIC_NAME));
        Optional<PresenceLookup> presence = startPresence(dedup);
        DedupCatchUp catchUp = startLogIndex(dedup, topic);
        awaitLogIndex(topic, deadline);
        routerService = routerService(dedup, catchUp, events, presence);
        List<ServerServiceDefinition> extra = new ArrayList<>(
                extraServices.stream().map(BindableService::bindService).toList());
        // The public API calls this router's own RouterService in-process: no network hop, same dedup cache.
        String apiInProcessAs = null;
        if (config.api().enabled()) {
            apiInProcessAs = "switchboard-router-api-" + UUID.randomUUID();
            extra.add(startApi(apiInProcessAs));
        }
        // Handlers do not block on Kafka, but send() may wait up to max-block: virtual threads make such a wait
        // cheap.
        // Backends may call the public API over TLS with a service token and no client certificate
        // (router.grpc.tls.client-auth: optional); RouterService always wants one when certificates are asked for.
        ServerTls tls = RouterKeys.GRPC_TLS.read(config.settings(), Set.of(SwitchboardApiGrpc.SERVICE_NAME));
        grpc = GrpcServerRuntime.start("router", config.get(GRPC_PORT), tls, Threads.virtualFactory("router-grpc-"),
                server -> {
                    server.maxInboundMessageSize(config.get(MAX_PAYLOAD_BYTES) + ENVELOPE_OVERHEAD_BYTES)
                            // Gateways ping every 10 s (gateway.router-keepalive-time); permit half that so
                            // jitter never earns them a GOAWAY "too_many_pings".
                            .permitKeepAliveTime(5, TimeUnit.SECONDS)
                            .addService(routerService);
                    if (config.get(GRPC_STREAM_ON_EVENT_LOOP)) {
                        server.callExecutor(publishStreamInline());
                    }
                    extra.forEach(server::addService);
                });
        if (inProcessName != null) {
            InProcessServerBuilder builder = InProcessServerBuilder.forName(inProcessName).executor(grpc.executor());
            if (config.get(GRPC_STREAM_ON_EVENT_LOOP)) {
                builder.callExecutor(publishStreamInline());
            }
            inProcess = serveInProcess(builder);
        }
        if (apiInProcessAs != null) {
            // Direct: each call's handler runs on the API's calling thread, so a PublishStream's messages, started
            // one after the other, reach the log in that order (the handlers only start their work).
            apiInProcess = serveInProcess(InProcessServerBuilder.forName(apiInProcessAs).directExecutor());
        }
        lifecycle.bound(grpc, http);
        List<String> served = new ArrayList<>(List.of(RouterServiceGrpc.SERVICE_NAME));
        extra.forEach(def -> served.add(def.getServiceDescriptor().getName()));
        grpc.serving(served);
        LOG.log(Level.INFO, "router " + config.get(ID) + ": topic " + topic.name() + " (id " + topic.topicId() + ", "
                + topic.partitions() + " partitions) at " + config.get(KafkaKeys.BOOTSTRAP_SERVERS) + ", gRPC " + tls);
    }

    /** The publish streams inline on the transport's thread; every other method keeps the virtual threads. */
    private static ServerCallExecutorSupplier publishStreamInline() {
        return new ServerCallExecutorSupplier() {
            @Override
            public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
                return call.getMethodDescriptor().getFullMethodName().equals(PUBLISH_STREAM) ? Runnable::run : null;
            }
        };
    }

    private Server serveInProcess(InProcessServerBuilder builder) {
        try {
            return builder.addService(routerService).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the router in-process", e);
        }
    }

    /** The public SwitchboardApi (router.api.enabled): over this router in-process, presence and history over gRPC. */
    private ServerServiceDefinition startApi(String routerInProcessName) {
        Optional<Channel> history = config.find(HISTORY_ADDRESS).map(replicas -> {
            historyChannel = RouterKeys.GRPC_CLIENT_TLS.replicaChannel(config.settings(), replicas,
                    HistoryServiceGrpc.SERVICE_NAME, "switchboard-router-api", metrics::historyRetry);
            return historyChannel;
        });
        // Direct, as the server side: calls started one after the other (also those buffered while the channel
        // connects) reach the router in that order; answers run on the thread that completes them (Kafka's).
        apiRouterChannel = InProcessChannelBuilder.forName(routerInProcessName).directExecutor().build();
        api = new SwitchboardApiService(apiRouterChannel,
                List.copyOf(presenceChannels), history, config.api(), clock, registry);
        return api.definition();
    }

    /**
     * The room-log index that adds every router's stored ids to {@code dedup} ({@code router.dedup.follow-log}),
     * and the catch-up a publish that may repeat one of them waits for; {@link DedupCatchUp#NONE} when off.
     */
    private DedupCatchUp startLogIndex(DedupCache dedup, RoomLogTopic topic) {
        if (!config.get(DEDUP_FOLLOW_LOG)) {
            return DedupCatchUp.NONE;
        }
        RoomLogIndexer index = RoomLogIndexer.create(KafkaSettings.dedupConsumer(config), topic, config.get(DEDUP_TTL),
                config.get(RouterKeys.DEDUP_FOLLOW_LOG_FETCH_WAIT),
                (user, id, room, stored) -> dedup.remember(new DedupCache.Key(user, id),
                        new DedupCache.Entry(room, CompletableFuture.completedFuture(stored))),
                "router-dedup-index-" + config.get(ID));
        logIndex = index;
        index.start();
        return (room, sinceNanos) -> index.whenCaughtUp(room, sinceNanos, CATCH_UP_WAIT);
    }

    /**
     * Serves only once the room-log index has read the dedup window to the end: until then a retry of a publish
     * another router stored (a failover, a resend, a public-API retry through another router) could be stored
     * again, as the catch-up a failover waits for is bounded ({@link #CATCH_UP_WAIT}) and a plain publish does not
     * wait at all. Bounded by what is left of {@code router.startup-timeout}.
     */
    private void awaitLogIndex(RoomLogTopic topic, long deadline) {
        if (logIndex == null) {
            return;
        }
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        boolean read;
        try {
            read = logIndex.whenAllCaughtUp(System.nanoTime(), left).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the room-log index read the dedup window", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the room-log index failed: " + e.getCause(), e.getCause());
        }
        if (!read) {
            throw new IllegalStateException("router " + config.get(ID) + ": the room-log index did not read the last "
                    + config.get(DEDUP_TTL) + " of " + topic.name() + " within router.startup-timeout ("
                    + config.get(STARTUP_TIMEOUT) + "); raise router.startup-timeout (or lower router.dedup.ttl)");
        }
        LOG.log(Level.INFO, "router " + config.get(ID) + ": dedup memory holds the room log's last "
                + config.get(DEDUP_TTL) + " (" + logIndex.indexed() + " records)");
    }

    /** The services the router serves over gRPC, built from its configuration. */
    private RouterGrpcService routerService(DedupCache dedup, DedupCatchUp catchUp, EventLog events,
                                            Optional<PresenceLookup> presence) {
        EventValidator validator = new EventValidator(config.get(MAX_PAYLOAD_BYTES));
        heldPublishes = Executors.newThreadPerTaskExecutor(Threads.virtualFactory("router-held-publish-"));
        PublishService publish = new PublishService(new EnvelopeValidator(config.get(MAX_PAYLOAD_BYTES)), dedup,
                new PublishSequencer(ticker()), catchUp, heldPublishes, limiter, log, metrics, clock);
        EphemeralThrottle throttle = new EphemeralThrottle(config.get(EPHEMERAL_MIN_INTERVAL), THROTTLE_MAX_ENTRIES,
                ticker());
        return new RouterGrpcService(publish,
                new EphemeralService(validator, throttle, limiter, events, eventMetrics, clock,
                        config.get(EPHEMERAL_TTL)),
                new DirectMessageService(validator, dedup, limiter, presence, events, eventMetrics, clock),
                new ControlService(validator, limiter, presence, events, eventMetrics, clock),
                new RouterSpans(tracing, config.get(ID)));
    }

    /**
     * The presence lookup and the presence-topic listener that invalidates it, when {@code
     * router.presence.address} is set. The listener waits in the background for the topic to exist.
     */
    private Optional<PresenceLookup> startPresence(DedupCache dedup) {
        if (config.find(PRESENCE_ADDRESS).isEmpty()) {
            eventMetrics = new EventMetrics(registry, () -> 0);
            return Optional.empty();
        }
        presenceChannels = config.find(PRESENCE_ADDRESS).get().stream()
                .map(address -> channelBuilder(address).userAgent("switchboard-router").build()).toList();
        PresenceLookup lookup = new PresenceLookup(presenceChannels, config.get(PRESENCE_TIMEOUT),
                config.get(PRESENCE_CACHE_TTL), config.get(PRESENCE_CACHE_MAX_ENTRIES), ticker());
        eventMetrics = new EventMetrics(registry, lookup::size);
        EventMetrics counted = eventMetrics;
        presenceListener = PresenceRecordListener.create(KafkaSettings.consumer(config),
                config.get(KafkaKeys.PRESENCE_TOPIC_NAME),
                user -> {
                    lookup.invalidate(user);
                    counted.invalidated();
                }, "router-presence-listener-" + config.get(ID));
        presenceListener.start();
        return Optional.of(lookup);
    }

    /** A channel to presence or history, plaintext or TLS per {@code router.grpc-client.tls.*}. */
    private ManagedChannelBuilder<?> channelBuilder(String target) {
        return RouterKeys.GRPC_CLIENT_TLS.channelBuilder(config.settings(), target);
    }

    /** The name the router's {@code RouterService} is also served under in-process, if any. */
    public Optional<String> inProcessName() {
        return Optional.ofNullable(inProcessName);
    }

    /** Whether the presence-topic listener follows its topic (tests; false when presence is not configured). */
    boolean presenceListenerAssigned() {
        PresenceRecordListener listener = presenceListener;
        return listener != null && listener.isAssigned();
    }

    /** The bound gRPC port. */
    public int port() {
        return lifecycle.port();
    }

    /** The bound metrics/health HTTP port, or -1 when disabled ({@code router.metrics.port: -1}). */
    public int metricsPort() {
        return lifecycle.metricsPort();
    }

    /** The router's id ({@code router.id}). */
    public String id() {
        return config.get(ID);
    }

    /** Whether the router serves and is not draining: what {@code /health/ready} reports. */
    public boolean isReady() {
        return lifecycle.isRunning();
    }

    /**
     * Reports NOT_SERVING (gRPC health and {@code /health/ready}) and refuses new calls and new requests on open
     * publish streams; calls and requests already received continue. Returns at once. Does nothing unless running.
     */
    public void drain() {
        lifecycle.drain(() -> {
            grpc.drain();
            if (inProcess != null) {
                inProcess.shutdown(); // refuses new calls as the network server now does; running ones go on
            }
            routerService.drain();
        });
    }

    /**
     * Drains, waits up to {@code grace} for in-flight publishes to get Kafka's acknowledgement, closes the
     * producer (with what is left of the grace), then stops everything. Idempotent; blocks until stopped.
     */
    public void shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        lifecycle.stop(() -> {
            drain();
            long deadline = System.nanoTime() + grace.toNanos();
            boolean interrupted = false;
            try {
                if (!limiter.awaitIdle(grace)) {
                    LOG.log(Level.WARNING, "router " + config.get(ID) + ": " + limiter.inFlight()
                            + " publishes still in flight after " + grace + "; failing them");
                }
            } catch (InterruptedException e) {
                // Released anyway (the producer gets no grace left); the flag is restored once that is done.
                interrupted = true;
            }
            release(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** {@link #shutdown(Duration)} with {@code router.shutdown-grace}. */
    @Override
    public void close() {
        shutdown(config.get(SHUTDOWN_GRACE));
    }

    /** Blocks until the router has stopped (or failed to start). */
    public void awaitTermination() throws InterruptedException {
        lifecycle.awaitTermination();
    }

    /** Stops whatever was started, in dependency order; each step runs even if an earlier one fails. */
    private void release(Duration producerClose) {
        steps.run("stop the presence listener", presenceListener, l -> l.close(FORCED_STOP_WAIT));
        steps.run("stop the room-log index", logIndex, i -> i.close(FORCED_STOP_WAIT));
        steps.run("stop the held publishes' executor", heldPublishes, ExecutorService::shutdownNow);
        // Flushes what Kafka can still take within the timeout and fails the rest (their callers get UNAVAILABLE
        // and retry with the same id).
        steps.run("close the producer", log, l -> l.close(producerClose));
        steps.run("flush the spans", tracing, Tracing::close);
        steps.run("stop the gRPC server", grpc, server -> server.stop(FORCED_STOP_WAIT));
        // After the network server: calls of the services mounted beside the router's own ran through it.
        steps.run("stop the in-process server", inProcess,
                server -> GrpcServerRuntime.stop(server, FORCED_STOP_WAIT));
        steps.run("stop the public API's in-process server", apiInProcess,
                server -> GrpcServerRuntime.stop(server, FORCED_STOP_WAIT));
        presenceChannels.forEach(channel -> steps.run("close a presence channel", channel, ManagedChannel::shutdownNow));
        steps.run("close the history channel", historyChannel, ManagedChannel::shutdownNow);
        steps.run("close the public API's router channel", apiRouterChannel, ManagedChannel::shutdownNow);
        steps.run("close the public API", api, SwitchboardApiService::close);
        steps.run("stop the gRPC executor", grpc, GrpcServerRuntime::stopExecutor);
        steps.run("stop the HTTP endpoint", http, HttpEndpoints::close);
        steps.run("unregister metrics", metrics, RouterMetrics::unregister);
        steps.run("unregister event metrics", eventMetrics, EventMetrics::unregister);
    }

    /** Dedup expiry follows the monotonic ticker, or the configured clock when a test injected one. */
    private Ticker ticker() {
        if (systemClock) {
            return Ticker.systemTicker();
        }
        return () -> {
            Instant now = clock.instant();
            return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
        };
    }

    /** Builds a {@link RouterServer}. Not thread-safe. */
    public static final class Builder {
        private final RouterConfig config;
        private final PrometheusRegistry registry;
        private final List<BindableService> extraServices = new ArrayList<>();
        private String inProcessName;
        private InstantSource clock;
        private SpanExporter spanExporter;
        private LocalRoomFeed localFeed;

        private Builder(RouterConfig config, PrometheusRegistry registry) {
            this.config = Objects.requireNonNull(config, "config");
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /**
         * Further gRPC services served on {@code router.grpc.port} beside {@code RouterService}, health and
         * reflection, reported SERVING by the health service once the router serves. Intercepted services can be
         * passed as {@code (BindableService) () -> ServerInterceptors.intercept(...)}. Adds to earlier calls.
         */
        public Builder extraServices(List<? extends BindableService> services) {
            services.forEach(s -> extraServices.add(Objects.requireNonNull(s, "service")));
            return this;
        }

        /**
         * Also serves the router's own {@code RouterService} in-process under {@code name} from {@link #start()}
         * until the router has stopped, for clients in the same JVM ({@code
         * InProcessChannelBuilder.forName(name)}; such a channel may be built before the router starts).
         */
        public Builder inProcessName(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("inProcessName: '" + name + "' (expected: non-blank)");
            }
            this.inProcessName = name;
            return this;
        }

        /** The clock for record timestamps, received times and dedup expiry; default the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Traces whatever {@code router.tracing.enabled} says, every span handed to {@code exporter} as it ends
         * (tests: the SDK's in-memory exporter) instead of OTLP.
         */
        public Builder spanExporter(SpanExporter exporter) {
            this.spanExporter = Objects.requireNonNull(exporter, "exporter");
            return this;
        }

        /**
         * Hands every room record this router stores to {@code feed} as soon as the log answers, for the gateways of
         * the same process (the single-process platform; {@link LocalRoomFeed}).
         */
        public Builder localFeed(LocalRoomFeed feed) {
            this.localFeed = Objects.requireNonNull(feed, "feed");
            return this;
        }

        public RouterServer build() {
            return new RouterServer(this);
        }
    }
}
