package io.switchboard.history;

import io.switchboard.service.HttpEndpoints;
import io.switchboard.service.KafkaClientSettings;
import io.switchboard.service.ServiceMain;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.history.ingest.IngestSignal;
import io.switchboard.history.ingest.KafkaIngester;
import io.switchboard.history.ingest.TopicInfo;
import io.switchboard.history.store.MessageStore;
import io.switchboard.history.store.RocksMessageStore;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One history service: the RocksDB store, the Kafka ingest thread, the retention sweeper, the gRPC server
 * ({@code HistoryService}, health, reflection) and the metrics/health HTTP endpoint, with an explicit lifecycle.
 *
 * <p>{@link #start()} opens the store, learns the topic id (wiping the store if the topic was recreated),
 * starts ingesting and binds the ports; it fails once, cleaning up, when Kafka or the topic is not usable within
 * {@code history.startup-timeout}. Ready ({@code /health/ready}) once the consumer is positioned.
 * {@link #shutdown(Duration)} reports NOT_SERVING, lets running reads finish within the grace, stops ingestion
 * after its current batch and closes the store cleanly. Metrics go to the registry it is given.
 *
 * <p>Thread-safe: lifecycle methods serialize on one lock; getters may be called from any thread.
 */
public final class HistoryServer implements ServiceMain.Service {
    private static final System.Logger LOG = System.getLogger(HistoryServer.class.getName());

    private enum State { NEW, STARTING, RUNNING, STOPPED, FAILED }

    private final HistoryConfig config;
    private final PrometheusRegistry registry;
    private final Object lock = new Object();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final IngestSignal signal = new IngestSignal();

    /** Written under {@code lock}; volatile so that readiness and getters need no lock. */
    private volatile State state = State.NEW;
    // @GuardedBy("lock") for writes; published through the volatile state.
    private MessageStore store;
    private TopicInfo topic;
    private KafkaIngester ingester;
    private HistoryMetrics metrics;
    private RetentionSweeper sweeper;
    private ScheduledExecutorService scheduler;
    private ReadService reads;
    private HttpEndpoints http;
    private HealthStatusManager health;
    private ExecutorService grpcExecutor;
    private Server grpc;
    private volatile int boundGrpcPort = -1;
    private volatile int boundMetricsPort = -1;

    private HistoryServer(HistoryConfig config, PrometheusRegistry registry) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** A service that has not started; nothing is opened, bound or registered until {@link #start()}. */
    public static HistoryServer create(HistoryConfig config, PrometheusRegistry registry) {
        return new HistoryServer(config, registry);
    }

    /**
     * Starts the service and returns once it serves gRPC (ingestion continues in the background).
     *
     * @throws IllegalStateException when already started, or Kafka or the topic is not usable in time
     * @throws UncheckedIOException  when the store cannot be opened or a port cannot be bound
     */
    public void start() {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("history " + config.id() + " already started (state " + state + ")");
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
        if (config.metricsPort() >= 0) {
            http = HttpEndpoints.start("history", config.metricsPort(), registry, this::isReady);
        }
        store = RocksMessageStore.open(config.dataDir());
        topic = TopicInfo.describe(adminProperties(), config.topic(), config.startupTimeout());
        Optional<String> storedTopic = store.topicId();
        if (storedTopic.isPresent() && !storedTopic.get().equals(topic.topicId())) {
            LOG.log(Level.WARNING, "topic " + topic.name() + " was recreated (id " + storedTopic.get() + " -> "
                    + topic.topicId() + "): wiping the history store in " + config.dataDir()
                    + " and ingesting from the earliest offsets");
        }
        if (storedTopic.isEmpty() || !storedTopic.get().equals(topic.topicId())) {
            store.reset(topic.topicId());
        }
        ingester = new KafkaIngester(consumerProperties(), topic, store, signal, "history-ingest-" + config.id());
        metrics = new HistoryMetrics(registry, ingester::ingested, ingester::lag);
        ingester.start();
        sweeper = new RetentionSweeper(store, config::retentionFor, config.clock(), metrics::deleted);
        scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("history-retention-", 0).daemon(true).factory());
        long interval = config.sweepInterval().toMillis();
        scheduler.scheduleWithFixedDelay(sweeper::sweepLogged, interval, interval, TimeUnit.MILLISECONDS);
        reads = new ReadService(store, topic, signal, config, metrics);
        health = new HealthStatusManager();
        grpcExecutor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("history-grpc-", 0).factory());
        try {
            grpc = NettyServerBuilder.forPort(config.grpcPort())
                    // Reads with `until` block while waiting for ingestion: cheap on virtual threads.
                    .executor(grpcExecutor)
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .permitKeepAliveWithoutCalls(true)
                    .addService(reads)
                    .addService(health.getHealthService())
                    .addService(ProtoReflectionServiceV1.newInstance())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind history.grpc.port " + config.grpcPort(), e);
        }
        boundGrpcPort = grpc.getPort();
        boundMetricsPort = http == null ? -1 : http.port();
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        health.setStatus(HistoryServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        LOG.log(Level.INFO, "history " + config.id() + ": topic " + topic.name() + " (id " + topic.topicId() + ", "
                + topic.partitions() + " partitions) at " + config.bootstrapServers() + ", store " + config.dataDir());
    }

    /** The bound gRPC port. */
    public int port() {
        requireStarted();
        return boundGrpcPort;
    }

    /** The bound metrics/health HTTP port, or -1 when disabled. */
    public int metricsPort() {
        requireStarted();
        return boundMetricsPort;
    }

    /** Whether the store is open and the consumer positioned: what {@code /health/ready} reports. */
    public boolean isReady() {
        KafkaIngester i = ingester;
        return state == State.RUNNING && i != null && i.positioned();
    }

    /**
     * Stops serving: NOT_SERVING, no new calls, running reads may finish within {@code grace}; then stops
     * ingestion and closes the store. Idempotent; blocks until stopped.
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
            health.enterTerminalState();
            release(grace);
            state = State.STOPPED;
            terminated.countDown();
            LOG.log(Level.INFO, "history " + config.id() + " stopped");
        }
    }

    /** {@link #shutdown(Duration)} with {@code history.shutdown-grace}. */
    @Override
    public void close() {
        shutdown(config.shutdownGrace());
    }

    /** Blocks until the service has stopped (or failed to start). */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Runs one retention pass now (the scheduler also does, every sweep interval); returns messages deleted. */
    long sweepRetention() {
        requireStarted();
        return sweeper.sweep();
    }

    MessageStore store() {
        return store;
    }

    TopicInfo topic() {
        return topic;
    }

    private void release(Duration grace) {
        if (grpc != null) {
            step("stop the gRPC server", () -> {
                grpc.shutdown();
                try {
                    if (!grpc.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                        grpc.shutdownNow();
                        grpc.awaitTermination(1, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    grpc.shutdownNow();
                    Thread.currentThread().interrupt();
                }
            });
        }
        if (reads != null) {
            reads.closeStore();
        }
        if (grpcExecutor != null) {
            step("stop the gRPC executor", grpcExecutor::shutdownNow);
        }
        if (scheduler != null) {
            step("stop the retention sweeper", () -> {
                scheduler.shutdownNow();
                try {
                    scheduler.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        if (ingester != null) {
            step("stop ingestion", () -> ingester.close(Duration.ofSeconds(10)));
        }
        if (store != null) {
            step("close the store", store::close);
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
            LOG.log(Level.WARNING, "history " + config.id() + ": failed to " + what, e);
        }
    }

    private void requireStarted() {
        State s = state;
        if (s == State.NEW || s == State.STARTING || s == State.FAILED) {
            throw new IllegalStateException("history " + config.id() + " is not started (state " + s + ")");
        }
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.putAll(config.consumerProperties());
        props.put("bootstrap.servers", config.bootstrapServers());
        props.put("group.id", config.groupId());
        props.putIfAbsent("client.id", "switchboard-history-" + config.id());
        return props;
    }

    private Properties adminProperties() {
        Properties props = KafkaClientSettings.connection(config.bootstrapServers(), config.consumerProperties());
        props.put("client.id", "switchboard-history-admin-" + config.id());
        return props;
    }
}
