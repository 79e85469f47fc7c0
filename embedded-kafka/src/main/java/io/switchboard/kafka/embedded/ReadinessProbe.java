package io.switchboard.kafka.embedded;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * Waits until a node serves clients: its port accepts connections, then a metadata request through it lists the
 * node among the live (registered, unfenced) brokers.
 *
 * <p>The port is polled with plain sockets first so the AdminClient does not log a connection warning per attempt
 * while a child JVM is still booting. Thread-safe (stateless).
 */
final class ReadinessProbe {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final int CONNECT_TIMEOUT_MS = 500;

    private ReadinessProbe() {
    }

    /**
     * Blocks until {@code node} is ready.
     *
     * @throws IllegalStateException if the node dies or is not ready within {@code timeout}; the message includes
     *     the node's diagnostics (child mode: the tail of its log)
     */
    static void await(KafkaNode node, Duration timeout) throws InterruptedException {
        NodeSpec spec = node.spec();
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastProblem = "port " + spec.brokerPort() + " not accepting connections";
        while (!portOpen(spec)) {
            checkProgress(node, timeout, deadline, lastProblem);
            Thread.sleep(POLL_INTERVAL);
        }
        Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, spec.brokerAddress(),
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-probe-node-" + spec.id(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 100,
                AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 500,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 100,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500));
        try {
            while (true) {
                try {
                    Collection<Node> live = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3_000))
                            .nodes().get(5, TimeUnit.SECONDS);
                    if (live.stream().anyMatch(n -> n.id() == spec.id())) {
                        return;
                    }
                    lastProblem = "node " + spec.id() + " not among the live brokers " + live;
                } catch (ExecutionException e) {
                    lastProblem = String.valueOf(e.getCause());
                } catch (TimeoutException e) {
                    lastProblem = "describeCluster timed out";
                }
                checkProgress(node, timeout, deadline, lastProblem);
                Thread.sleep(POLL_INTERVAL);
            }
        } finally {
            admin.close(CLOSE_TIMEOUT);
        }
    }

    private static void checkProgress(KafkaNode node, Duration timeout, long deadline, String lastProblem) {
        NodeSpec spec = node.spec();
        var failure = node.failure();
        if (failure.isPresent()) {
            throw new IllegalStateException(failure.get() + " while starting; " + node.diagnostics());
        }
        if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("node " + spec.id() + " (" + spec.brokerAddress() + ") not ready within "
                    + timeout + " (last problem: " + lastProblem + "); " + node.diagnostics());
        }
    }

    private static boolean portOpen(NodeSpec spec) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(spec.host(), spec.brokerPort()), CONNECT_TIMEOUT_MS);
            return true;
        } catch (IOException e) {
            return false; // refused or timed out: not listening yet, the caller polls again
        }
    }
}
