package io.switchboard.kafka.embedded;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;

/**
 * Creates SCRAM-SHA-512 credentials through the Admin API (as {@code kafka-configs.sh --alter --add-config} does) and
 * waits until the brokers describe every one of them, so that a client authenticating right after is not refused.
 *
 * <p>Thread-safe (stateless; one short-lived AdminClient per call).
 */
final class ScramUsers {
    /** Kafka's default and minimum for SCRAM-SHA-512. */
    private static final int ITERATIONS = 4096;
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

    private ScramUsers() {
    }

    static void create(String bootstrapServers, Map<String, String> users, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-scram",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis())))) {
            List<UserScramCredentialAlteration> upserts = users.entrySet().stream()
                    .<UserScramCredentialAlteration>map(u -> new UserScramCredentialUpsertion(u.getKey(),
                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS), u.getValue()))
                    .toList();
            admin.alterUserScramCredentials(upserts).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String missing = "not described yet";
            while (System.nanoTime() - deadline < 0) {
                Map<String, UserScramCredentialsDescription> described = admin.describeUserScramCredentials(
                        List.copyOf(users.keySet())).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                List<String> absent = users.keySet().stream().filter(u -> !described.containsKey(u)).toList();
                if (absent.isEmpty()) {
                    return;
                }
                missing = "no credentials yet for " + absent;
                Thread.sleep(POLL_INTERVAL);
            }
            throw new IllegalStateException("SCRAM users " + users.keySet() + ": not ready within " + timeout
                    + " (" + missing + ")");
        } catch (ExecutionException e) {
            throw new IllegalStateException("SCRAM users " + users.keySet() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("SCRAM users " + users.keySet() + ": not created within " + timeout, e);
        }
    }
}
