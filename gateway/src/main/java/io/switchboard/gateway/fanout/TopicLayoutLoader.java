package io.switchboard.gateway.fanout;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Learns the rooms topic's id and partition count with one short-lived Kafka admin client, waiting (bounded)
 * for the topic to exist because routers may create it while gateways start. Stateless, thread-safe.
 */
public final class TopicLayoutLoader {
    private static final Logger LOG = Logger.getLogger(TopicLayoutLoader.class.getName());
    private static final long RETRY_MILLIS = 250;

    private TopicLayoutLoader() {
    }

    /**
     * Describes {@code topic}.
     *
     * @param clientProperties extra client properties (e.g. security settings), may be empty
     * @throws IllegalStateException when the topic is not described within {@code timeout}
     * @throws InterruptedException  when interrupted while waiting
     */
    public static TopicLayout load(String bootstrapServers, String topic, Map<String, String> clientProperties,
                                   Duration timeout) throws InterruptedException {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "switchboard-gateway-admin");
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        Admin admin = Admin.create(props);
        try {
            while (System.nanoTime() < deadline) {
                long left = deadline - System.nanoTime();
                try {
                    TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(left, TimeUnit.NANOSECONDS).get(topic);
                    return new TopicLayout(topic, d.topicId().toString(), d.partitions().size());
                } catch (ExecutionException e) {
                    last = e;
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        LOG.fine(() -> "describeTopics(" + topic + ") failed, retrying: " + e.getCause());
                    }
                } catch (TimeoutException e) {
                    last = e;
                    break;
                }
                // Topic not there yet (or broker not reachable): pause briefly before asking again.
                TimeUnit.MILLISECONDS.sleep(Math.min(RETRY_MILLIS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            }
        } finally {
            // close() without a timeout would wait for the abandoned describe call (default.api.timeout.ms).
            admin.close(Duration.ofSeconds(1));
        }
        throw new IllegalStateException("Kafka topic '" + topic + "' not described at " + bootstrapServers
                + " within " + timeout.truncatedTo(ChronoUnit.MILLIS) + (last == null ? "" : ": " + rootMessage(last)),
                last);
    }

    private static String rootMessage(Throwable t) {
        Throwable cur = t;
        while (cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur.getClass().getSimpleName() + (cur.getMessage() == null ? "" : ": " + cur.getMessage());
    }
}
