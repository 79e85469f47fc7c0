package io.switchboard.router.kafka;

import io.switchboard.roomlog.RoomLogTopic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Makes sure the router's topics exist (creating them if allowed, tolerating "already exists") and learns
 * their topic ids; the room log's id is part of every epoch. Runs once at startup, blocking its caller up to
 * a deadline. Stateless, hence thread-safe.
 */
public final class TopicBootstrap {
    private static final System.Logger LOG = System.getLogger(TopicBootstrap.class.getName());
    private static final long RETRY_PAUSE_MILLIS = 100;

    private TopicBootstrap() {
    }

    /**
     * Creates the topic if absent and {@code spec.create()}, then describes it.
     *
     * @param adminProperties AdminClient properties (at least {@code bootstrap.servers})
     * @throws IllegalStateException when Kafka does not answer within {@code timeout}, or the topic is
     *                               missing and may not be created
     */
    public static RoomLogTopic ensure(Properties adminProperties, TopicSpec spec, Duration timeout) {
        return ensure(adminProperties, spec, first -> List.of(), timeout).getFirst();
    }

    /**
     * Ensures {@code first}, then the topics {@code then} derives from what Kafka says about it (the
     * ephemeral topic takes the room log's actual partition count), all with one admin client and one
     * deadline. Returns their descriptions, {@code first}'s first.
     *
     * @throws IllegalStateException as {@link #ensure(Properties, TopicSpec, Duration)}
     */
    public static List<RoomLogTopic> ensure(Properties adminProperties, TopicSpec first,
                                         Function<RoomLogTopic, List<TopicSpec>> then, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties props = new Properties();
        props.putAll(adminProperties);
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        props.putIfAbsent("default.api.timeout.ms", Integer.toString(timeoutMillis));
        props.putIfAbsent("request.timeout.ms", Integer.toString(Math.min(timeoutMillis, 15_000)));
        String servers = String.valueOf(props.get("bootstrap.servers"));
        Admin admin = Admin.create(props);
        try {
            List<RoomLogTopic> infos = new ArrayList<>();
            infos.add(ensureOne(admin, first, deadline));
            for (TopicSpec spec : then.apply(infos.getFirst())) {
                infos.add(ensureOne(admin, spec, deadline));
            }
            return List.copyOf(infos);
        } catch (TimeoutException e) {
            throw new IllegalStateException("kafka at " + servers + " did not answer within " + timeout
                    + " (router.startup-timeout); is kafka.bootstrap-servers right and Kafka up?", e);
        } finally {
            // Bounded: close() without a timeout can wait forever for an unreachable cluster.
            admin.close(Duration.ofSeconds(1));
        }
    }

    private static RoomLogTopic ensureOne(Admin admin, TopicSpec spec, long deadline) throws TimeoutException {
        if (spec.create()) {
            create(admin, spec, deadline);
        }
        return describe(admin, spec, deadline);
    }

    private static void create(Admin admin, TopicSpec spec, long deadline) throws TimeoutException {
        NewTopic topic = new NewTopic(spec.name(), spec.partitions(), spec.replicationFactor());
        Map<String, String> configs = new HashMap<>(spec.configs());
        spec.minInsyncReplicas().ifPresent(min -> configs.put("min.insync.replicas", Integer.toString(min)));
        topic.configs(configs);
        try {
            await(admin.createTopics(List.of(topic)).all(), deadline);
            LOG.log(Level.INFO, "created topic " + spec.name() + " with " + spec.partitions()
                    + " partitions, replication factor " + spec.replicationFactor());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + spec.name() + ": " + e.getCause(), e);
            }
        }
    }

    private static RoomLogTopic describe(Admin admin, TopicSpec spec, long deadline) throws TimeoutException {
        while (true) {
            try {
                TopicDescription description = await(admin.describeTopics(List.of(spec.name())).allTopicNames(),
                        deadline).get(spec.name());
                RoomLogTopic info = new RoomLogTopic(spec.name(), description.topicId().toString(),
                        description.partitions().size());
                if (info.partitions() != spec.partitions()) {
                    LOG.log(Level.WARNING, "topic " + spec.name() + " has " + info.partitions()
                            + " partitions, the configuration expects " + spec.partitions()
                            + "; using the topic as it is");
                }
                return info;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("cannot describe topic " + spec.name() + ": " + e.getCause(), e);
                }
                if (!spec.create()) {
                    throw new IllegalStateException("topic " + spec.name()
                            + " does not exist and kafka.topic.create is false", e);
                }
                // Just created: metadata may lag the creation by a moment.
                pauseBeforeRetry(deadline);
            }
        }
    }

    private static <T> T await(KafkaFuture<T> future, long deadline) throws ExecutionException, TimeoutException {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            // The admin client's own timeout (default.api.timeout.ms, set to ours) may fire a moment before ours:
            // it is the same "Kafka did not answer in time".
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw (TimeoutException) new TimeoutException(e.getCause().getMessage()).initCause(e.getCause());
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for kafka", e);
        }
    }

    private static void pauseBeforeRetry(long deadline) throws TimeoutException {
        if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_PAUSE_MILLIS) > deadline) {
            throw new TimeoutException("topic not visible before the deadline");
        }
        try {
            Thread.sleep(RETRY_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for kafka", e);
        }
    }
}
