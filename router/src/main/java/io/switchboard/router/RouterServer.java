package io.switchboard.router;

import io.switchboard.service.HttpEndpoints;
import io.switchboard.service.ServiceMain;
import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.router.kafka.KafkaEnvelopeLog;
import io.switchboard.router.kafka.TopicBootstrap;
import io.switchboard.router.kafka.TopicInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One router: the gRPC server ({@code RouterService}, health, reflection), its Kafka producer and its
 * metrics/health HTTP endpoint, with an explicit lifecycle.
 *
 * <p>{@link #start()} bootstraps the topic, warms the producer, binds the ports and only then reports
 * SERVING; it fails (once, cleaning up) when Kafka is not reachable within {@code router.startup-timeout}.
 * {@link #drain()} reports NOT_SERVING and refuses new calls; {@link #shutdown(Duration)} drains, lets
 * in-flight publishes get Kafka's acknowledgement within the grace period, closes the producer (failing what
 * is left, which answers UNAVAILABLE) and then forces the server down. Each instance registers its metrics
 * in the registry it is given and removes them on shutdown: give concurrently running routers separate
 * registries.
 *
 * <p>Thread-safe: lifecycle methods serialize on one lock; {@link #port()} and friends may be called from
 * any thread.
 */
public final class RouterServer implements ServiceMain.Service {
    private static final System.Logger LOG = System.getLogger(RouterServer.class.getName());
    /** Room for the envelope's other fields on top of the payload limit, so the transport rejects only abuse. */
    private static final int ENVELOPE_OVERHEAD_BYTES = 64 * 1024;
    private static final Duration FORCED_STOP_WAIT = Duration.ofSeconds(2);

    private enum State { NEW, STARTING, RUNNING, DRAINING, STOPPED, FAILED }

    private final RouterConfig config;
    private final PrometheusRegistry registry;
    private final Object lock = new Object();
    private final CountDownLatch terminated = new CountDownLatch(1);

    /** Written under {@code lock}; volatile so that readiness and the port getters need no lock. */
    private volatile State state = State.NEW;
    // @GuardedBy("lock") for writes; published to other threads through the volatile state.
    private Server grpc;
    private HttpEndpoints http;
    private EnvelopeLog log;
    private RouterMetrics metrics;
    private InFlightLimiter limiter;
    private HealthStatusManager health;
    private ExecutorService grpcExecutor;
    /** The bound ports, kept so that they can still be reported after shutdown. */
    private volatile int boundGrpcPort = -1;
    private volatile int boundMetricsPort = -1;

    private RouterServer(RouterConfig config, PrometheusRegistry registry) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** A router that has not started yet. Nothing is bound or registered until {@link #start()}. */
    public static RouterServer create(RouterConfig config, PrometheusRegistry registry) {
        return new RouterServer(config, registry);
    }

    /**
     * Starts the router and returns once it serves. Blocks up to {@code router.startup-timeout} for Kafka.
     *
     * @throws IllegalStateException when already started, or Kafka or the topic is not usable in time
     * @throws UncheckedIOException  when a port cannot be bound
     */
    public void start() {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("router " + config.id() + " already started (state " + state + ")");
            }
            state = State.STARTING;
            try {
                startComponents();
                state = State.RUNNING;
            } catch (RuntimeException e) {
                state = State.FAILED;
                release(Duration.ZERO);
                terminated.countDown();
                throw e;
            }
        }
    }

    private void startComponents() {
        long deadline = System.nanoTime() + config.startupTimeout().toNanos();
        limiter = new InFlightLimiter(config.maxInFlight());
        DedupCache dedup = new DedupCache(config.dedupMaxEntries(), config.dedupTtl(), ticker(config));
        metrics = new RouterMetrics(registry, limiter::inFlight, dedup::size);
        if (config.metricsPort() >= 0) {
            // First, so that liveness answers while Kafka is being waited for.
            http = HttpEndpoints.start("router", config.metricsPort(), registry, this::isReady);
        }
        TopicInfo topic = TopicBootstrap.ensure(KafkaSettings.admin(config), KafkaSettings.topic(config),
                config.startupTimeout());
        Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), config.maxBlock().toNanos()));
        log = KafkaEnvelopeLog.start(KafkaSettings.producer(config), topic, left);
        health = new HealthStatusManager();
        grpcExecutor = Executors.newThreadPerTaskExecutor(Threads.virtualFactory("router-grpc-"));
        PublishService publish = new PublishService(new EnvelopeValidator(config.maxPayloadBytes()), dedup,
                limiter, log, metrics, config.clock());
        try {
            grpc = NettyServerBuilder.forPort(config.grpcPort())
                    // Handlers do not block on Kafka, but send() may wait up to max-block: virtual threads
                    // make such a wait cheap.
                    .executor(grpcExecutor)
                    .maxInboundMessageSize(config.maxPayloadBytes() + ENVELOPE_OVERHEAD_BYTES)
                    // Gateways keep their channels alive with pings; do not answer them with GOAWAY.
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .addService(publish)
                    .addService(health.getHealthService())
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind router.grpc.port " + config.grpcPort(), e);
        }
        boundGrpcPort = grpc.getPort();
        boundMetricsPort = http == null ? -1 : http.port();
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        health.setStatus(RouterServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        LOG.log(Level.INFO, "router " + config.id() + ": topic " + topic.name() + " (id " + topic.topicId() + ", "
                + topic.partitions() + " partitions) at " + config.bootstrapServers());
    }

    /** The bound gRPC port. */
    public int port() {
        requireStarted();
        return boundGrpcPort;
    }

    /** The bound metrics/health HTTP port, or -1 when disabled ({@code router.metrics.port: -1}). */
    public int metricsPort() {
        requireStarted();
        return boundMetricsPort;
    }

    /** The router's id ({@code router.id}). */
    public String id() {
        return config.id();
    }

    /** Whether the router serves and is not draining: what {@code /health/ready} reports. */
    public boolean isReady() {
        return state == State.RUNNING;
    }

    /**
     * Reports NOT_SERVING (gRPC health and {@code /health/ready}) and refuses new calls; calls already
     * received continue. Returns at once. Does nothing unless running.
     */
    public void drain() {
        synchronized (lock) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.DRAINING;
            health.enterTerminalState();
            grpc.shutdown();
            LOG.log(Level.INFO, "router " + config.id() + " draining");
        }
    }

    /**
     * Drains, waits up to {@code grace} for in-flight publishes to get Kafka's acknowledgement, closes the
     * producer (with what is left of the grace), then stops everything. Idempotent; blocks until stopped.
     */
    public void shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        synchronized (lock) {
            if (state == State.STOPPED || state == State.FAILED) {
                return;
            }
            if (state == State.NEW) {
                state = State.STOPPED;
                terminated.countDown();
                return;
            }
            drain();
            long deadline = System.nanoTime() + grace.toNanos();
            boolean interrupted = false;
            try {
                if (!limiter.awaitIdle(grace)) {
                    LOG.log(Level.WARNING, "router " + config.id() + ": " + limiter.inFlight()
                            + " publishes still in flight after " + grace + "; failing them");
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
            release(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            state = State.STOPPED;
            terminated.countDown();
            LOG.log(Level.INFO, "router " + config.id() + " stopped");
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@link #shutdown(Duration)} with {@code router.shutdown-grace}. */
    @Override
    public void close() {
        shutdown(config.shutdownGrace());
    }

    /** Blocks until the router has stopped (or failed to start). */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Stops whatever was started, in dependency order; each step runs even if an earlier one fails. */
    private void release(Duration producerClose) {
        if (log != null) {
            // Flushes what Kafka can still take within the timeout and fails the rest (their callers get
            // UNAVAILABLE and retry with the same id).
            step("close the producer", () -> log.close(producerClose));
        }
        if (grpc != null) {
            step("stop the gRPC server", () -> {
                grpc.shutdown();
                try {
                    if (!grpc.awaitTermination(FORCED_STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                        grpc.shutdownNow();
                    }
                } catch (InterruptedException e) {
                    grpc.shutdownNow();
                    Thread.currentThread().interrupt();
                }
            });
        }
        if (grpcExecutor != null) {
            step("stop the gRPC executor", grpcExecutor::shutdownNow);
        }
        if (http != null) {
            step("stop the HTTP endpoint", http::close);
        }
        if (metrics != null) {
            step("unregister metrics", metrics::unregister);
        }
    }

    private void step(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "router " + config.id() + ": failed to " + what, e);
        }
    }

    private void requireStarted() {
        State s = state;
        if (s == State.NEW || s == State.STARTING || s == State.FAILED) {
            throw new IllegalStateException("router " + config.id() + " is not started (state " + s + ")");
        }
    }

    /** Dedup expiry follows the monotonic ticker, or the configured clock when a test injected one. */
    private static Ticker ticker(RouterConfig config) {
        if (config.systemClock()) {
            return Ticker.systemTicker();
        }
        return () -> {
            Instant now = config.clock().instant();
            return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
        };
    }
}
