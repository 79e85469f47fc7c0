package io.switchboard.roomlog;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Learns the room log topic's id and partition count with one short-lived admin client, waiting (bounded) for
 * the topic to exist: routers create it, and gateways and history services may start first. Used by the tiers
 * that read the log; the router, which creates it, has its own bootstrap. Stateless, thread-safe.
 */
public final class RoomLogTopicLoader {
    private static final long RETRY_MILLIS = 250;

    private RoomLogTopicLoader() {
    }

    /**
     * Describes topic {@code name}, asking again while it does not exist yet (or another retriable error
     * answers) until {@code timeout}.
     *
     * @param adminProperties admin client properties: at least {@code bootstrap.servers}, plus any security
     *                        settings and a {@code client.id}
     * @throws IllegalStateException when the topic is not described within {@code timeout}, or Kafka answers
     *                               with an error that asking again will not mend
     * @throws InterruptedException  when interrupted while waiting
     */
    public static RoomLogTopic load(Properties adminProperties, String name, Duration timeout)
            throws InterruptedException {
        Properties props = new Properties();
        props.putAll(adminProperties);
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        props.putIfAbsent("default.api.timeout.ms", Integer.toString(timeoutMillis));
        props.putIfAbsent("request.timeout.ms", Integer.toString(Math.min(timeoutMillis, 15_000)));
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        Admin admin = Admin.create(props);
        try {
            while (System.nanoTime() < deadline) {
                try {
                    TopicDescription d = admin.describeTopics(List.of(name)).allTopicNames()
                            .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).get(name);
                    return new RoomLogTopic(name, d.topicId().toString(), d.partitions().size());
                } catch (ExecutionException e) {
                    last = e;
                    if (!(e.getCause() instanceof RetriableException)) {
                        throw new IllegalStateException("cannot describe Kafka topic '" + name + "': " + e.getCause(), e);
                    }
                } catch (TimeoutException e) {
                    last = e;
                    break;
                }
                // The topic is not there yet (UnknownTopicOrPartition is retriable): ask again at a modest pace.
                TimeUnit.MILLISECONDS.sleep(Math.min(RETRY_MILLIS,
                        Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            }
        } finally {
            // close() without a timeout would wait for an abandoned describe call (default.api.timeout.ms).
            admin.close(Duration.ofSeconds(1));
        }
        throw new IllegalStateException("Kafka topic '" + name + "' not described at " + props.get("bootstrap.servers")
                + " within " + timeout.truncatedTo(ChronoUnit.MILLIS) + (last == null ? "" : ": " + rootMessage(last))
                + " (the router creates it: is kafka.bootstrap-servers right, and a router up?)", last);
    }

    private static String rootMessage(Throwable t) {
        Throwable cur = t;
        while (cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur.getClass().getSimpleName() + (cur.getMessage() == null ? "" : ": " + cur.getMessage());
    }
}
