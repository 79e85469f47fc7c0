package io.switchboard.kafka.embedded;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates a topic through an AdminClient and waits until every partition has a leader, so a producer that starts
 * right after does not spin on UNKNOWN_TOPIC_OR_PARTITION. An existing topic counts as success.
 *
 * <p>Thread-safe (stateless; one short-lived AdminClient per call).
 */
final class TopicCreator {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private TopicCreator() {
    }

    static void create(String bootstrapServers, String name, int partitions, short replicationFactor,
            Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        try {
            try {
                admin.createTopics(List.of(new NewTopic(name, partitions, replicationFactor)))
                        .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("createTopic " + name + ": " + e.getCause().getMessage(),
                            e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("createTopic " + name + ": not created within " + timeout, e);
            }
            awaitLeaders(admin, name, timeout, deadline);
        } finally {
            admin.close(CLOSE_TIMEOUT);
        }
    }

    private static void awaitLeaders(Admin admin, String name, Duration timeout, long deadline)
            throws InterruptedException {
        String lastState = "not described yet";
        while (System.nanoTime() - deadline < 0) {
            try {
                TopicDescription description = admin.describeTopics(List.of(name)).allTopicNames()
                        .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).get(name);
                Optional<TopicPartitionInfo> leaderless = description.partitions().stream()
                        .filter(p -> p.leader() == null || p.leader().isEmpty())
                        .findFirst();
                if (leaderless.isEmpty()) {
                    return;
                }
                lastState = "partition " + leaderless.get().partition() + " has no leader";
            } catch (ExecutionException e) {
                lastState = String.valueOf(e.getCause());
            } catch (TimeoutException e) {
                break;
            }
            Thread.sleep(POLL_INTERVAL);
        }
        throw new IllegalStateException("createTopic " + name + ": partitions without a leader after " + timeout
                + " (" + lastState + ")");
    }
}
