package io.switchboard.presence.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The presence topic and how to create it: records are short-lived (retention 10 minutes), since gateways and
 * routers read it from the end only. Immutable.
 *
 * @param name              topic name
 * @param partitions        partitions when created
 * @param replicationFactor replication factor when created
 * @param minInsyncReplicas {@code min.insync.replicas} when created; empty leaves the broker default
 * @param create            whether to create it when absent
 */
public record PresenceTopic(String name, int partitions, short replicationFactor, OptionalInt minInsyncReplicas,
                            boolean create) {
    /** {@code retention.ms} of a created presence topic: 10 minutes. */
    public static final long RETENTION_MS = 600_000;
    private static final System.Logger LOG = System.getLogger(PresenceTopic.class.getName());

    public PresenceTopic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(minInsyncReplicas, "minInsyncReplicas");
    }

    /**
     * Creates the topic unless it exists or creation is off (then the producer's first sends wait for it).
     *
     * @param adminProperties AdminClient properties (at least {@code bootstrap.servers})
     * @throws IllegalStateException when Kafka does not answer within {@code timeout} or refuses the creation
     */
    public void ensure(Properties adminProperties, Duration timeout) {
        if (!create) {
            return;
        }
        Properties props = new Properties();
        props.putAll(adminProperties);
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        props.putIfAbsent("default.api.timeout.ms", Integer.toString(timeoutMillis));
        props.putIfAbsent("request.timeout.ms", Integer.toString(Math.min(timeoutMillis, 15_000)));
        Map<String, String> configs = new HashMap<>();
        configs.put("retention.ms", Long.toString(RETENTION_MS));
        minInsyncReplicas.ifPresent(min -> configs.put("min.insync.replicas", Integer.toString(min)));
        NewTopic topic = new NewTopic(name, partitions, replicationFactor).configs(configs);
        Admin admin = Admin.create(props);
        try {
            admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.log(Level.INFO, "created topic " + name + " with " + partitions + " partitions, replication factor "
                    + replicationFactor);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(props, timeout, e);
            }
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause(), e);
            }
        } catch (TimeoutException e) {
            throw unreachable(props, timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } finally {
            // Bounded: close() without a timeout can wait forever for an unreachable cluster.
            admin.close(Duration.ofSeconds(1));
        }
    }

    private static IllegalStateException unreachable(Properties props, Duration timeout, Exception cause) {
        return new IllegalStateException("kafka at " + props.get("bootstrap.servers") + " did not answer within "
                + timeout + " (presence.startup-timeout); is kafka.bootstrap-servers right and Kafka up?", cause);
    }
}
