package io.switchboard.chaos;

import static org.awaitility.Awaitility.await;

import io.switchboard.kafka.embedded.EmbeddedKafka;
import io.switchboard.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Routers and gateways as separate JVM processes, each from its own main and YAML config file, against a
 * real Kafka broker. Not thread-safe; close it in a finally block or {@code @AfterAll}.
 */
final class ProcessCluster implements AutoCloseable {
    static final String TOPIC_PARTITIONS = "4";

    private final Path directory;
    private final String secret;
    private final EmbeddedKafka kafka;
    private final List<ServiceProcess> routers = new ArrayList<>();
    private final List<ServiceProcess> gateways = new ArrayList<>();
    private final List<Integer> gatewayPorts = new ArrayList<>();
    private ServiceProcess history;
    private Path historyConfig;
    private URI historyReadiness;

    private ProcessCluster(Path directory, String secret, EmbeddedKafka kafka) {
        this.directory = directory;
        this.secret = secret;
        this.kafka = kafka;
    }

    /** Starts one Kafka broker, then {@code routerCount} routers, then {@code gatewayCount} gateways, and waits until all are ready. */
    static ProcessCluster start(int routerCount, int gatewayCount, String secret) {
        return start(routerCount, gatewayCount, secret, false);
    }

    /** As {@link #start(int, int, String)}, plus a history service process that the gateways use for resume. */
    static ProcessCluster start(int routerCount, int gatewayCount, String secret, boolean withHistory) {
        Path directory;
        try {
            directory = Files.createTempDirectory("switchboard-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedKafka kafka = EmbeddedKafka.builder().nodes(1).build();
        ProcessCluster cluster = new ProcessCluster(directory, secret, kafka);
        try {
            kafka.start();
            List<String> routerAddresses = new ArrayList<>();
            for (int i = 1; i <= routerCount; i++) {
                int grpcPort = FreePorts.next();
                int metricsPort = FreePorts.next();
                Path config = cluster.write("router-" + i + ".yaml", """
                        router:
                          id: "router-%d"
                          grpc:
                            port: %d
                          metrics:
                            port: %d
                        kafka:
                          bootstrap-servers: "%s"
                          topic:
                            partitions: %s
                        """.formatted(i, grpcPort, metricsPort, kafka.bootstrapServers(), TOPIC_PARTITIONS));
                cluster.routers.add(ServiceProcess.start("router-" + i, "io.switchboard.router.RouterMain", config,
                        URI.create("http://127.0.0.1:" + metricsPort + "/health/ready"), directory));
                routerAddresses.add("127.0.0.1:" + grpcPort);
            }
            cluster.awaitReady(cluster.routers);
            String historyYaml = "";
            if (withHistory) {
                int historyPort = FreePorts.next();
                int historyMetrics = FreePorts.next();
                cluster.historyConfig = cluster.write("history.yaml", """
                        history:
                          id: "history-1"
                          grpc:
                            port: %d
                          metrics:
                            port: %d
                          data-dir: "%s"
                        kafka:
                          bootstrap-servers: "%s"
                        """.formatted(historyPort, historyMetrics, directory.resolve("history-data"), kafka.bootstrapServers()));
                cluster.historyReadiness = URI.create("http://127.0.0.1:" + historyMetrics + "/health/ready");
                cluster.startHistory();
                historyYaml = "  history:\n    address: \"127.0.0.1:" + historyPort + "\"\n";
            }
            String routersYaml = routerAddresses.stream().map(a -> "    - \"" + a + "\"").collect(Collectors.joining("\n"));
            for (int i = 1; i <= gatewayCount; i++) {
                int port = FreePorts.next();
                Path config = cluster.write("gateway-" + i + ".yaml", """
                        gateway:
                          id: "gateway-%d"
                          host: "127.0.0.1"
                          port: %d
                          routers:
                        %s
                          auth:
                            hs256-secret: "%s"
                        %skafka:
                          bootstrap-servers: "%s"
                        """.formatted(i, port, routersYaml, secret, historyYaml, kafka.bootstrapServers()));
                cluster.gateways.add(ServiceProcess.start("gateway-" + i, "io.switchboard.gateway.GatewayMain", config,
                        URI.create("http://127.0.0.1:" + port + "/observe/health/ready"), directory));
                cluster.gatewayPorts.add(port);
            }
            cluster.awaitReady(cluster.gateways);
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts the history process (again, on the same data directory and ports) and waits until it is ready. */
    void startHistory() {
        if (history != null && history.isAlive()) {
            throw new IllegalStateException("history is running");
        }
        history = ServiceProcess.start("history", "io.switchboard.history.HistoryMain", historyConfig, historyReadiness, directory);
        awaitReady(List.of(history));
    }

    /** The history process, or null when the cluster has none. */
    ServiceProcess history() {
        return history;
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(directory.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(List<ServiceProcess> services) {
        for (ServiceProcess service : services) {
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(service::isReady);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(service.name() + " not ready within 60s; log tail:\n" + service.logTail(), e);
            }
        }
    }

    List<URI> webSocketUris() {
        return gatewayPorts.stream().map(p -> URI.create("ws://127.0.0.1:" + p + "/ws")).toList();
    }

    List<ServiceProcess> routers() {
        return List.copyOf(routers);
    }

    List<ServiceProcess> gateways() {
        return List.copyOf(gateways);
    }

    /** Log tails of every service, for a failing test's message. */
    String logs() {
        StringBuilder all = new StringBuilder();
        for (ServiceProcess s : routers) {
            all.append("--- ").append(s.name()).append('\n').append(s.logTail()).append('\n');
        }
        for (ServiceProcess s : gateways) {
            all.append("--- ").append(s.name()).append('\n').append(s.logTail()).append('\n');
        }
        if (history != null) {
            all.append("--- history\n").append(history.logTail()).append('\n');
        }
        return all.toString();
    }

    @Override
    public void close() {
        gateways.forEach(ServiceProcess::close);
        if (history != null) {
            history.close();
        }
        routers.forEach(ServiceProcess::close);
        kafka.close();
        if (!Boolean.getBoolean("switchboard.keep-cluster-dir")) {
            try (var paths = Files.walk(directory)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + directory, e);
            }
        }
    }
}
