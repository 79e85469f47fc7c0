package io.switchboard.history.ingest;

import io.switchboard.proto.Names;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The room log topic as Kafka describes it. Immutable.
 *
 * @param name       topic name
 * @param topicId    Kafka's topic id, part of every epoch
 * @param partitions the partition count
 */
public record TopicInfo(String name, String topicId, int partitions) {
    private static final long RETRY_PAUSE_MILLIS = 200;

    public TopicInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicId, "topicId");
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions: " + partitions + " (expected: > 0)");
        }
    }

    /** The partition {@code room} maps to, as Kafka's default partitioner computes it for the record key. */
    public int partitionOf(String room) {
        return Utils.toPositive(Utils.murmur2(room.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The epoch of {@code partition}'s log. */
    public String epoch(int partition) {
        return Names.epoch(topicId, partition);
    }

    /**
     * Describes topic {@code name}, waiting (up to {@code timeout}) for Kafka to answer and for the topic to
     * exist: the router creates it, and the history service may start first.
     *
     * @throws IllegalStateException when the topic cannot be described in time
     */
    public static TopicInfo describe(Properties adminProperties, String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties props = new Properties();
        props.putAll(adminProperties);
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        props.putIfAbsent("default.api.timeout.ms", Integer.toString(timeoutMillis));
        props.putIfAbsent("request.timeout.ms", Integer.toString(Math.min(timeoutMillis, 15_000)));
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    TopicDescription d = admin.describeTopics(List.of(name)).allTopicNames()
                            .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).get(name);
                    return new TopicInfo(name, d.topicId().toString(), d.partitions().size());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw new IllegalStateException("cannot describe topic " + name + ": " + e.getCause(), e);
                    }
                    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_PAUSE_MILLIS) > deadline) {
                        throw new IllegalStateException("topic " + name + " does not exist after " + timeout
                                + " (history.startup-timeout); the router creates it", e);
                    }
                    // The topic is not there yet: poll for it at a modest pace until the deadline.
                    Thread.sleep(RETRY_PAUSE_MILLIS);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("kafka at " + props.get("bootstrap.servers")
                            + " did not answer within " + timeout + " (history.startup-timeout)", e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topic " + name, e);
        }
    }
}
