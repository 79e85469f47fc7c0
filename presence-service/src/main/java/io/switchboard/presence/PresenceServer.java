package io.switchboard.presence;

import static io.switchboard.presence.PresenceKeys.DELTA_INTERVAL;
import static io.switchboard.presence.PresenceKeys.GRPC_PORT;
import static io.switchboard.presence.PresenceKeys.ID;
import static io.switchboard.presence.PresenceKeys.LARGE_ROOM_THRESHOLD;
import static io.switchboard.presence.PresenceKeys.LEASE_TTL;
import static io.switchboard.presence.PresenceKeys.LEAVE_GRACE;
import static io.switchboard.presence.PresenceKeys.MAX_DELTA_MEMBERS;
import static io.switchboard.presence.PresenceKeys.MAX_MESSAGE_BYTES;
import static io.switchboard.presence.PresenceKeys.METRICS_PORT;
import static io.switchboard.presence.PresenceKeys.SHARDS_COUNT;
import static io.switchboard.presence.PresenceKeys.SHARDS_ENABLED;
import static io.switchboard.presence.PresenceKeys.SHARDS_GROUP;
import static io.switchboard.presence.PresenceKeys.SHARDS_SESSION_TIMEOUT;
import static io.switchboard.presence.PresenceKeys.SHARDS_TOPIC;
import static io.switchboard.presence.PresenceKeys.SHUTDOWN_GRACE;
import static io.switchboard.presence.PresenceKeys.STARTUP_TIMEOUT;

import com.github.benmanes.caffeine.cache.Ticker;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.presence.kafka.KafkaPresenceSink;
import io.switchboard.presence.kafka.PresenceSink;
import io.switchboard.presence.kafka.PresenceTopic;
import io.switchboard.presence.shards.Ownership;
import io.switchboard.presence.shards.OwnedRecords;
import io.switchboard.presence.shards.ShardGroup;
import io.switchboard.presence.state.PresenceState;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.service.GrpcServerRuntime;
import io.switchboard.service.HttpEndpoints;
import io.switchboard.service.KafkaClientSettings;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.KafkaTopicSettings;
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
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One presence service: the in-memory {@link PresenceState}, the lease reaper, the delta flusher writing to the
 * presence topic, the gRPC server ({@code PresenceService}, health, reflection) and the metrics/health HTTP
 * endpoint, with an explicit lifecycle.
 *
 * <p>{@link #start()} creates the presence topic if missing and allowed, opens the producer, starts the reaper
 * and flusher and binds the ports; it fails once, cleaning up, when Kafka does not answer within
 * {@code presence.startup-timeout}. {@link #shutdown(Duration)} reports NOT_SERVING, lets running calls finish
 * within the grace, stops the reaper, flushes the last interval's records and closes the producer. State is
 * soft: a restarted service knows nothing and gateways resync. Metrics go to the registry it is given. With
 * {@code presence.shards.enabled} it is one of several instances: a {@link ShardGroup} decides which shards it owns
 * and {@link OwnedRecords} writes only their records; stopping leaves the group first, so the others take over.
 *
 * <p>Thread-safe: lifecycle methods serialize on one lock; getters may be called from any thread.
 */
public final class PresenceServer implements ServiceMain.Service {
    private static final System.Logger LOG = System.getLogger(PresenceServer.class.getName());

    /** Opens the sink records go to; {@code outcomes} is told of every record the sink delivered or lost. */
    interface SinkFactory {
        PresenceSink open(PresenceConfig config, PresenceSink.Outcomes outcomes);
    }

    private final PresenceConfig config;
    private final PrometheusRegistry registry;
    private final SinkFactory sinks;
    private final TierLifecycle lifecycle;
    private final ReleaseSteps steps;
    private final PresenceState presence;

    // Written by the lifecycle phases under its lock; published to other threads through its volatile state.
    private PresenceSink sink;
    private ShardGroup shardGroup;
    private PresenceMetrics metrics;
    private LeaseReaper reaper;
    private DeltaFlusher flusher;
    private HttpEndpoints http;
    private GrpcServerRuntime grpc;

    private PresenceServer(PresenceConfig config, PrometheusRegistry registry, SinkFactory sinks,
                           InstantSource clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.lifecycle = new TierLifecycle("presence " + config.get(ID), LOG);
        this.steps = new ReleaseSteps("presence " + config.get(ID), LOG);
        this.presence = new PresenceState(clock, new PresenceState.Settings(config.get(LEASE_TTL),
                config.get(LEAVE_GRACE), config.warmUp(), config.get(LARGE_ROOM_THRESHOLD),
                config.get(MAX_DELTA_MEMBERS)));
    }

    /** A service writing to Kafka that has not started; nothing is opened, bound or registered until {@link #start()}. */
    public static PresenceServer create(PresenceConfig config, PrometheusRegistry registry) {
        return new PresenceServer(config, registry, PresenceServer::kafkaSink, InstantSource.system());
    }

    /** A service writing to the given sink (tests). */
    static PresenceServer create(PresenceConfig config, PrometheusRegistry registry, SinkFactory sinks) {
        return new PresenceServer(config, registry, sinks, InstantSource.system());
    }

    /**
     * Starts the service and returns once it serves gRPC.
     *
     * @throws IllegalStateException when already started, or Kafka does not answer in time
     * @throws UncheckedIOException  when a port cannot be bound
     */
    @Override
    public void start() {
        lifecycle.start(this::startComponents, () -> release(Duration.ZERO));
    }

    private void startComponents() {
        if (config.get(METRICS_PORT) >= 0) {
            http = HttpEndpoints.start("presence", config.get(METRICS_PORT), registry, this::isReady);
        }
        // The metrics exist before the sink so that its acknowledgements can be counted from the first record.
        PresenceSink[] opened = new PresenceSink[1];
        metrics = new PresenceMetrics(registry, presence::counts, () -> opened[0] == null ? 0 : opened[0].failures());
        sink = sinks.open(config, new PresenceSink.Outcomes(metrics::written, presence::recordLost));
        opened[0] = sink;
        if (config.get(SHARDS_ENABLED)) {
            // Records go through the owner filter, which the group tells of taken shards; set before it starts.
            OwnedRecords[] owned = new OwnedRecords[1];
            shardGroup = shardGroup(keys -> owned[0].taken(keys, presence));
            owned[0] = new OwnedRecords(shardGroup, sink, config.get(SHARDS_SESSION_TIMEOUT).multipliedBy(2)
                    .plusSeconds(30), Ticker.systemTicker());
            sink = owned[0];
            ShardGroup group = shardGroup;
            metrics.shardsOwned(() -> group.owned().size());
            shardGroup.start();
        } else {
            metrics.shardsOwned(() -> 1); // one instance: one shard, everything
        }
        reaper = new LeaseReaper(presence, config.reapInterval(), metrics::leaseExpiries);
        reaper.start();
        flusher = new DeltaFlusher(presence, sink, config.get(DELTA_INTERVAL));
        flusher.start();
        // No public services: every caller is another tier, with a client certificate when TLS asks for one.
        ServerTls tls = PresenceKeys.GRPC_TLS.read(config.settings(), Set.of());
        grpc = GrpcServerRuntime.start("presence", config.get(GRPC_PORT), tls,
                Thread.ofVirtual().name("presence-grpc-", 0).factory(), server -> server
                        // A Sync carries a whole gateway's connections: far above gRPC's 4 MiB default.
                        .maxInboundMessageSize(config.get(MAX_MESSAGE_BYTES))
                        .permitKeepAliveTime(10, TimeUnit.SECONDS)
                        .addService(new PresenceGrpcService(presence, metrics, config.get(LEASE_TTL),
                                shardGroup == null ? Ownership.ALL : shardGroup, shardGroup != null)));
        lifecycle.bound(grpc, http);
        grpc.serving(List.of(PresenceServiceGrpc.SERVICE_NAME));
        LOG.log(Level.INFO, "presence " + config.get(ID) + ": topic " + config.get(KafkaKeys.PRESENCE_TOPIC_NAME)
                + " at " + config.get(KafkaKeys.BOOTSTRAP_SERVERS) + ", lease " + config.get(LEASE_TTL)
                + ", delta interval " + config.get(DELTA_INTERVAL) + ", gRPC " + tls);
    }

    @Override
    public int port() {
        return lifecycle.port();
    }

    @Override
    public int metricsPort() {
        return lifecycle.metricsPort();
    }

    /** Whether the service serves: what {@code /health/ready} reports. */
    public boolean isReady() {
        return lifecycle.isRunning();
    }

    /** The model (tests and support tooling read it directly). */
    PresenceState presence() {
        return presence;
    }

    PresenceMetrics metrics() {
        return metrics;
    }

    /**
     * Stops serving: NOT_SERVING, no new calls, running calls may finish within {@code grace}; then stops the
     * reaper, writes the last interval's records and closes the producer. Idempotent; blocks until stopped.
     */
    public void shutdown(Duration grace) {
        lifecycle.stopServing(grpc, grace, this::release);
    }

    /** {@link #shutdown(Duration)} with {@code presence.shutdown-grace}. */
    @Override
    public void close() {
        shutdown(config.get(SHUTDOWN_GRACE));
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        lifecycle.awaitTermination();
    }

    /** Stops whatever was started, in dependency order; each step runs even if an earlier one failed. */
    private void release(Duration grace) {
        steps.run("stop the gRPC server", grpc, server -> server.stop(grace));
        steps.run("stop the gRPC executor", grpc, GrpcServerRuntime::stopExecutor);
        steps.run("leave the presence shard group", shardGroup, ShardGroup::close);
        steps.run("stop the lease reaper", reaper, LeaseReaper::close);
        steps.run("flush the last deltas", flusher, DeltaFlusher::close);
        steps.run("close the presence producer", sink, PresenceSink::close);
        steps.run("stop the HTTP endpoint", http, HttpEndpoints::close);
        steps.run("unregister metrics", metrics, PresenceMetrics::unregister);
    }

    /**
     * This instance's membership of the shard group: the coordination topic made sure of, a consumer that joins
     * after the warm-up and tells {@code taken} of the shards it gains.
     */
    private ShardGroup shardGroup(ShardGroup.Listener taken) {
        KafkaTopicSettings t = config.topicSettings();
        new PresenceTopic(config.get(SHARDS_TOPIC), config.get(SHARDS_COUNT), t.replicationFactor(),
                t.minInsyncReplicas(), t.create()).ensure(adminProperties(config), config.get(STARTUP_TIMEOUT));
        Properties props = KafkaClientSettings.connection(config.get(KafkaKeys.BOOTSTRAP_SERVERS),
                config.producerProperties());
        props.put("client.id", "switchboard-presence-shards-" + config.get(ID));
        return new ShardGroup(props, config.get(SHARDS_TOPIC), config.get(SHARDS_GROUP),
                config.get(SHARDS_SESSION_TIMEOUT), config.warmUp(), taken);
    }

    private static PresenceSink kafkaSink(PresenceConfig config, PresenceSink.Outcomes outcomes) {
        KafkaTopicSettings t = config.topicSettings();
        new PresenceTopic(t.name(), t.partitions(), t.replicationFactor(), t.minInsyncReplicas(), t.create())
                .ensure(adminProperties(config), config.get(STARTUP_TIMEOUT));
        Properties props = new Properties();
        props.putAll(config.producerProperties());
        props.put("bootstrap.servers", config.get(KafkaKeys.BOOTSTRAP_SERVERS));
        props.putIfAbsent("client.id", "switchboard-presence-" + config.get(ID));
        return new KafkaPresenceSink(props, config.get(KafkaKeys.PRESENCE_TOPIC_NAME), outcomes);
    }

    private static Properties adminProperties(PresenceConfig config) {
        Properties props = KafkaClientSettings.connection(config.get(KafkaKeys.BOOTSTRAP_SERVERS),
                config.producerProperties());
        props.put("client.id", "switchboard-presence-admin-" + config.get(ID));
        return props;
    }
}
