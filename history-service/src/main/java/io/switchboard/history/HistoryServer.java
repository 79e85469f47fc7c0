package io.switchboard.history;

import static io.switchboard.history.HistoryKeys.DATA_DIR;
import static io.switchboard.history.HistoryKeys.GROUP_ID;
import static io.switchboard.history.HistoryKeys.GRPC_PORT;
import static io.switchboard.history.HistoryKeys.ID;
import static io.switchboard.history.HistoryKeys.METRICS_PORT;
import static io.switchboard.history.HistoryKeys.SHUTDOWN_GRACE;
import static io.switchboard.history.HistoryKeys.STARTUP_TIMEOUT;
import static io.switchboard.history.HistoryKeys.SWEEP_INTERVAL;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.history.ingest.IngestSignal;
import io.switchboard.history.ingest.KafkaIngester;
import io.switchboard.history.store.MessageStore;
import io.switchboard.history.store.RocksMessageStore;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.roomlog.RoomLogTopicLoader;
import io.switchboard.service.GrpcServerRuntime;
import io.switchboard.service.HttpEndpoints;
import io.switchboard.service.KafkaClientSettings;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.ReleaseSteps;
import io.switchboard.service.ServiceMain;
import io.switchboard.service.TierLifecycle;
import io.switchboard.service.tls.ServerTls;

import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One history service: the RocksDB store, the Kafka ingest thread, the retention sweeper, the gRPC server
 * ({@code HistoryService}, health, reflection) and the metrics/health HTTP endpoint, with an explicit lifecycle.
 *
 * <p>{@link #start()} opens the store, learns the topic id (wiping the store if the topic was recreated),
 * starts ingesting and binds the ports; it fails once, cleaning up, when Kafka or the topic is not usable within
 * {@code history.startup-timeout}. Ready ({@code /health/ready}, and SERVING in gRPC health) once ingestion has
 * caught up with the log end offsets found at startup, so that a restarted replica takes reads only when it holds
 * what its peers hold.
 * {@link #shutdown(Duration)} reports NOT_SERVING, lets running reads finish within the grace, stops ingestion
 * after its current batch and closes the store cleanly. Metrics go to the registry it is given.
 *
 * <p>Thread-safe: lifecycle methods serialize on one lock; getters may be called from any thread.
 */
public final class HistoryServer implements ServiceMain.Service {
    private static final System.Logger LOG = System.getLogger(HistoryServer.class.getName());

    private final HistoryConfig config;
    private final PrometheusRegistry registry;
    private final TierLifecycle lifecycle;
    private final ReleaseSteps steps;
    private final IngestSignal signal = new IngestSignal();

    // Written by the lifecycle phases under its lock; published to other threads through its volatile state.
    /** What retention measures age with. */
    private final InstantSource clock;
    private MessageStore store;
    private RoomLogTopic topic;
    private KafkaIngester ingester;
    private HistoryMetrics metrics;
    private RetentionSweeper sweeper;
    private ScheduledExecutorService scheduler;
    private ReadService reads;
    private HttpEndpoints http;
    private GrpcServerRuntime grpc;

    private HistoryServer(HistoryConfig config, PrometheusRegistry registry, InstantSource clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lifecycle = new TierLifecycle("history " + config.get(ID), LOG);
        this.steps = new ReleaseSteps("history " + config.get(ID), LOG);
    }

    /** A service that has not started; nothing is opened, bound or registered until {@link #start()}. */
    public static HistoryServer create(HistoryConfig config, PrometheusRegistry registry) {
        return create(config, registry, InstantSource.system());
    }

    /** A service whose retention measures age with {@code clock}. */
    public static HistoryServer create(HistoryConfig config, PrometheusRegistry registry, InstantSource clock) {
        return new HistoryServer(config, registry, clock);
    }

    /**
     * Starts the service and returns once it serves gRPC (ingestion continues in the background).
     *
     * @throws IllegalStateException when already started, or Kafka or the topic is not usable in time
     * @throws UncheckedIOException  when the store cannot be opened or a port cannot be bound
     */
    public void start() {
        lifecycle.start(this::startComponents, () -> release(Duration.ZERO));
    }

    private void startComponents() {
        if (config.get(METRICS_PORT) >= 0) {
            http = HttpEndpoints.start("history", config.get(METRICS_PORT), registry, this::isReady);
        }
        store = RocksMessageStore.open(config.get(DATA_DIR));
        topic = describeTopic();
        Optional<String> storedTopic = store.topicId();
        if (storedTopic.isPresent() && !storedTopic.get().equals(topic.topicId())) {
            LOG.log(Level.WARNING, "topic " + topic.name() + " was recreated (id " + storedTopic.get() + " -> "
                    + topic.topicId() + "): wiping the history store in " + config.get(DATA_DIR)
                    + " and ingesting from the earliest offsets");
        }
        if (storedTopic.isEmpty() || !storedTopic.get().equals(topic.topicId())) {
            store.reset(topic.topicId());
        }
        ingester = new KafkaIngester(consumerProperties(), topic, store, signal, "history-ingest-" + config.get(ID));
        KafkaIngester ingesting = ingester;
        metrics = new HistoryMetrics(registry, ingesting::ingested, ingesting::lag,
                () -> ingesting.caughtUp().isDone());
        ingester.start();
        sweeper = new RetentionSweeper(store, config::retentionFor, clock, metrics::deleted);
        scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("history-retention-", 0).daemon(true).factory());
        long interval = config.get(SWEEP_INTERVAL).toMillis();
        scheduler.scheduleWithFixedDelay(sweeper::sweepLogged, interval, interval, TimeUnit.MILLISECONDS);
        reads = new ReadService(store, topic, signal, config, metrics);
        // Reads with `until` block while waiting for ingestion: cheap on virtual threads.
        // No public services: every caller is another tier, with a client certificate when TLS asks for one.
        ServerTls tls = HistoryKeys.GRPC_TLS.read(config.settings(), Set.of());
        grpc = GrpcServerRuntime.start("history", config.get(GRPC_PORT), tls,
                Thread.ofVirtual().name("history-grpc-", 0).factory(), server -> server
                        .permitKeepAliveTime(10, TimeUnit.SECONDS)
                        .addService(reads));
        lifecycle.bound(grpc, http);
        // SERVING (what the gateways' and routers' health-checking balancers look for) only once caught up: a
        // restarted replica that is behind its peers gets no reads it would have to make wait.
        GrpcServerRuntime serving = grpc;
        ingester.caughtUp().thenRun(() -> serving.serving(List.of(HistoryServiceGrpc.SERVICE_NAME)));
        LOG.log(Level.INFO, "history " + config.get(ID) + ": topic " + topic.name() + " (id " + topic.topicId() + ", "
                + topic.partitions() + " partitions) at " + config.get(KafkaKeys.BOOTSTRAP_SERVERS) + ", store "
                + config.get(DATA_DIR) + ", gRPC " + tls);
    }

    /** The bound gRPC port. */
    public int port() {
        return lifecycle.port();
    }

    /** The bound metrics/health HTTP port, or -1 when disabled. */
    public int metricsPort() {
        return lifecycle.metricsPort();
    }

    /** Whether the store is open and ingestion caught up once: what {@code /health/ready} reports. */
    public boolean isReady() {
        KafkaIngester i = ingester;
        return lifecycle.isRunning() && i != null && i.positioned() && i.caughtUp().isDone();
    }

    /**
     * Stops serving: NOT_SERVING, no new calls, running reads may finish within {@code grace}; then stops
     * ingestion and closes the store. Idempotent; blocks until stopped.
     */
    public void shutdown(Duration grace) {
        lifecycle.stopServing(grpc, grace, this::release);
    }

    /** {@link #shutdown(Duration)} with {@code history.shutdown-grace}. */
    @Override
    public void close() {
        shutdown(config.get(SHUTDOWN_GRACE));
    }

    /** Blocks until the service has stopped (or failed to start). */
    public void awaitTermination() throws InterruptedException {
        lifecycle.awaitTermination();
    }

    /** Runs one retention pass now (the scheduler also does, every sweep interval); returns messages deleted. */
    long sweepRetention() {
        requireStarted();
        return sweeper.sweep();
    }

    MessageStore store() {
        return store;
    }

    RoomLogTopic topic() {
        return topic;
    }

    /** Stops whatever was started, in dependency order; each step runs even if an earlier one failed. */
    private void release(Duration grace) {
        steps.run("stop the gRPC server", grpc, server -> server.stop(grace));
        if (reads != null) {
            reads.closeStore();
        }
        steps.run("stop the gRPC executor", grpc, GrpcServerRuntime::stopExecutor);
        steps.run("stop the retention sweeper", scheduler, s -> {
            s.shutdownNow();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        steps.run("stop ingestion", ingester, i -> i.close(Duration.ofSeconds(10)));
        steps.run("close the store", store, MessageStore::close);
        steps.run("stop the HTTP endpoint", http, HttpEndpoints::close);
        steps.run("unregister metrics", metrics, HistoryMetrics::unregister);
    }

    private void requireStarted() {
        lifecycle.requireStarted();
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.putAll(config.consumerProperties());
        props.put("bootstrap.servers", config.get(KafkaKeys.BOOTSTRAP_SERVERS));
        props.put("group.id", config.get(GROUP_ID));
        props.putIfAbsent("client.id", "switchboard-history-" + config.get(ID));
        // History is not on the delivery path: fetch in batches of up to 20 ms instead of one fetch per record,
        // which at hundreds of publishes per second cost the broker and this consumer a round trip per record.
        props.putIfAbsent("fetch.min.bytes", "65536");
        props.putIfAbsent("fetch.max.wait.ms", "20");
        return props;
    }

    private RoomLogTopic describeTopic() {
        try {
            return RoomLogTopicLoader.load(adminProperties(), config.get(KafkaKeys.TOPIC_NAME),
                    config.get(STARTUP_TIMEOUT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the room log topic", e);
        }
    }

    private Properties adminProperties() {
        Properties props = KafkaClientSettings.connection(config.get(KafkaKeys.BOOTSTRAP_SERVERS),
                config.consumerProperties());
        props.put("client.id", "switchboard-history-admin-" + config.get(ID));
        return props;
    }
}
