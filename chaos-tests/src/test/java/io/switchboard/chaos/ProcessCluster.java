package io.switchboard.chaos;

import static org.awaitility.Awaitility.await;

import io.switchboard.client.TrustedCertificates;
import io.switchboard.devcerts.DevCertificates;
import io.switchboard.devcerts.PemFiles;
import io.switchboard.kafka.embedded.EmbeddedKafka;
import io.switchboard.kafka.embedded.SslListener;
import io.switchboard.testkit.FaultProxy;
import io.switchboard.service.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * A Switchboard cluster with every tier as its own JVM process, each from its own main class and YAML config
 * file, against a real Kafka cluster (one in-process broker, or several broker processes that can be killed):
 * routers, optionally the presence and history services, gateways, and optionally a real HAProxy in front of
 * the gateways and one {@link FaultProxy} in front of each router (so a test can delay or cut the network
 * between the gateways and one router). Not thread-safe; close it in a finally block or {@code @AfterAll}.
 */
final class ProcessCluster implements AutoCloseable {
    static final String TOPIC_PARTITIONS = "4";
    static final String ADMIN_TOKEN = "chaos-admin-token";

    private final Options options;
    private final Path directory;
    private final EmbeddedKafka kafka;
    private final List<ServiceProcess> routers = new ArrayList<>();
    private final List<FaultProxy> routerProxies = new ArrayList<>();
    private final List<ServiceProcess> gateways = new ArrayList<>();
    private final List<Integer> gatewayPorts = new ArrayList<>();
    private final Map<String, Supplier<ServiceProcess>> starters = new LinkedHashMap<>();
    /** History replicas, in order: {@code history} first, then {@code history-2}... */
    private final List<ServiceProcess> histories = new ArrayList<>();
    private final int historyReplicas;
    private ServiceProcess presence;
    private final List<ServiceProcess> presences = new ArrayList<>();
    /** The presence instances' gRPC addresses, in instance order. */
    private final List<String> presenceTargets = new ArrayList<>();
    /** The routers' gRPC addresses as the gateways know them (through their proxies, when there are any). */
    private final List<String> routerTargets = new ArrayList<>();
    private HaproxyProcess haproxy;
    /** Each party's certificates with {@link Options#withTls()}, else empty. */
    private final Map<String, PemFiles> certificates;
    /** Trusts the cluster's CA with {@link Options#withTls()}; null without TLS. */
    private final SSLContext clientTls;
    /** Asks the gateways' readiness over their scheme. */
    private final HttpClient gatewayHttp;
    /** Extra options of every service JVM. */
    private final List<String> childJvmOptions;

    /**
     * What to start. With {@code externalKafka} set (bootstrap servers of a Kafka cluster someone else runs, e.g. a
     * Testcontainers broker), no embedded broker starts and {@code kafkaNodes} is its node count.
     * {@code presenceSettings} are extra {@code presence.*} keys (relative to {@code presence}) for the presence service,
     * {@code gatewaySettings} extra {@code gateway.*} keys for every gateway. {@code presenceInstances} above 1 runs
     * that many sharded presence instances ({@code presence.shards.enabled}, a 3 s group session timeout), named
     * {@code presence}, {@code presence-2}, ...; every router and gateway gets all their addresses.
     */
    record Options(int kafkaNodes, int routers, int gateways, boolean history, boolean presence,
                   boolean haproxy, boolean routerProxies, String secret, String externalKafka,
                   Map<String, String> presenceSettings, boolean tls, Map<String, String> gatewaySettings,
                   int presenceInstances) {
        Options(int kafkaNodes, int routers, int gateways, boolean history, boolean presence,
                boolean haproxy, boolean routerProxies, String secret) {
            this(kafkaNodes, routers, gateways, history, presence, haproxy, routerProxies, secret, null, Map.of(),
                    false, Map.of());
        }

        Options(int kafkaNodes, int routers, int gateways, boolean history, boolean presence,
                boolean haproxy, boolean routerProxies, String secret, String externalKafka) {
            this(kafkaNodes, routers, gateways, history, presence, haproxy, routerProxies, secret, externalKafka,
                    Map.of(), false, Map.of());
        }

        Options(int kafkaNodes, int routers, int gateways, boolean history, boolean presence,
                boolean haproxy, boolean routerProxies, String secret, String externalKafka,
                Map<String, String> presenceSettings, boolean tls, Map<String, String> gatewaySettings) {
            this(kafkaNodes, routers, gateways, history, presence, haproxy, routerProxies, secret, externalKafka,
                    presenceSettings, tls, gatewaySettings, 1);
        }

        /** The same with {@code count} sharded presence instances. */
        Options withPresenceInstances(int count) {
            return new Options(kafkaNodes, routers, gateways, history, presence, haproxy, routerProxies, secret,
                    externalKafka, presenceSettings, tls, gatewaySettings, count);
        }

        /** The same with an extra {@code presence.<key>} setting. */
        Options withPresence(String key, String value) {
            Map<String, String> settings = new LinkedHashMap<>(presenceSettings);
            settings.put(key, value);
            return new Options(kafkaNodes, routers, gateways, history, presence, haproxy, routerProxies, secret,
                    externalKafka, Map.copyOf(settings), tls, gatewaySettings, presenceInstances);
        }

        /**
         * The same with an extra {@code gateway.<key>} setting ({@code key} a direct child of {@code gateway}, or a
         * dotted path such as {@code resume.page-size} whose parent no other setting shares).
         */
        Options withGateway(String key, String value) {
            Map<String, String> settings = new LinkedHashMap<>(gatewaySettings);
            settings.put(key, value);
            return new Options(kafkaNodes, routers, gateways, history, presence, haproxy, routerProxies, secret,
                    externalKafka, presenceSettings, tls, Map.copyOf(settings), presenceInstances);
        }

        /**
         * The same with TLS everywhere: development certificates, mutual TLS on every tier's gRPC (each tier its own
         * certificate), every Kafka client on the embedded broker's SSL listener with a client certificate, the
         * gateways serving {@code wss://} (and {@code https://} health), and HAProxy, when there is one, terminating
         * {@code wss://} and re-encrypting to them. Clients trust the cluster's CA ({@link #clientTls()}).
         */
        Options withTls() {
            return new Options(kafkaNodes, routers, gateways, history, presence, haproxy, routerProxies, secret,
                    externalKafka, presenceSettings, true, gatewaySettings, presenceInstances);
        }
    }

    private ProcessCluster(Options options, int historyReplicas, Path directory, EmbeddedKafka kafka,
                           Map<String, PemFiles> certificates, List<String> childJvmOptions) {
        this.options = options;
        this.childJvmOptions = List.copyOf(childJvmOptions);
        this.historyReplicas = options.history() ? historyReplicas : 0;
        this.directory = directory;
        this.kafka = kafka;
        this.certificates = certificates;
        this.clientTls = options.tls() ? TrustedCertificates.fromPem(certificates.get("gateway").caBundle()) : null;
        this.gatewayHttp = clientTls == null ? ServiceProcess.PLAIN_HTTP
                : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(clientTls).build();
    }

    /** Starts one Kafka broker, then {@code routerCount} routers, then {@code gatewayCount} gateways, and waits until all are ready. */
    static ProcessCluster start(int routerCount, int gatewayCount, String secret) {
        return start(routerCount, gatewayCount, secret, false);
    }

    /** As {@link #start(int, int, String)}, plus a history service process that the gateways use for resume. */
    static ProcessCluster start(int routerCount, int gatewayCount, String secret, boolean withHistory) {
        return start(new Options(1, routerCount, gatewayCount, withHistory, false, false, false, secret));
    }

    /** Starts everything {@code options} names and waits until every process is ready. */
    static ProcessCluster start(Options options) {
        return start(options, 1);
    }

    /**
     * As {@link #start(Options)}, with {@code historyReplicas} history processes (when {@code options} asks for
     * history), each with its own store, all of them behind every gateway and router.
     */
    static ProcessCluster start(Options options, int historyReplicas) {
        return start(options, historyReplicas, List.of());
    }

    /**
     * As {@link #start(Options, int)}, every service and Kafka broker JVM with {@code childJvmOptions} as well (the
     * chaos suite's {@link ServiceProcess#CHILD_JVM_OPTIONS}).
     */
    static ProcessCluster start(Options options, int historyReplicas, List<String> childJvmOptions) {
        if (historyReplicas < 1) {
            throw new IllegalArgumentException("historyReplicas: " + historyReplicas + " (expected: >= 1)");
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("switchboard-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedKafka.Builder kafkaBuilder = EmbeddedKafka.builder().nodes(options.kafkaNodes()).startTimeout(Duration.ofMinutes(4));
        if (options.kafkaNodes() > 1) {
            // Broker processes, so a test can SIGKILL a partition leader; notice a dead broker within seconds.
            kafkaBuilder.mode(EmbeddedKafka.Mode.CHILD_PROCESS)
                    .brokerProperty("broker.session.timeout.ms", "3000")
                    .brokerProperty("broker.heartbeat.interval.ms", "500")
                    .brokerProperty("min.insync.replicas", "2")
                    .brokerProperty("default.replication.factor", "3");
            childJvmOptions.forEach(kafkaBuilder::childJvmOption);
        }
        Map<String, PemFiles> certificates = Map.of();
        if (options.tls()) {
            certificates = DevCertificates.generate(directory.resolve("tls"),
                    List.of("kafka", "kafka-client", "router", "presence", "history", "gateway", "lb"));
            PemFiles kafka = certificates.get("kafka");
            kafkaBuilder.sslListener(new SslListener(kafka.certificateChain(), kafka.privateKey(),
                    Optional.of(kafka.caBundle())));
        }
        ProcessCluster cluster = new ProcessCluster(options, historyReplicas, directory,
                options.externalKafka() == null ? kafkaBuilder.build() : null, certificates, childJvmOptions);
        try {
            cluster.startAll();
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll() {
        if (kafka != null) {
            kafka.start();
        }
        String kafkaYaml = kafkaYaml();
        String presenceAddress = null;
        if (options.presence()) {
            List<String> addresses = new ArrayList<>();
            for (int i = 1; i <= options.presenceInstances(); i++) {
                addresses.add(definePresence(i, kafkaYaml));
            }
            presenceTargets.addAll(addresses);
            presenceAddress = String.join(",", addresses);
        }
        List<String> routerAddresses = new ArrayList<>();
        for (int i = 1; i <= options.routers(); i++) {
            int grpcPort = LoopbackPorts.pick();
            int metricsPort = LoopbackPorts.pick();
            Path config = write("router-" + i + ".yaml", """
                    router:
                      id: "router-%d"
                      grpc:
                        port: %d
                    %s  metrics:
                        port: %d
                    %s%s%s""".formatted(i, grpcPort, serverTls("router"), metricsPort,
                    presenceAddress == null ? "" : "  presence:\n    address: \"" + presenceAddress + "\"\n",
                    clientTls("router"), kafkaYaml));
            int index = i - 1;
            define("router-" + i, "io.switchboard.router.RouterMain", config, metricsPort, p -> set(routers, index, p));
            if (options.routerProxies()) {
                FaultProxy proxy = FaultProxy.start("127.0.0.1", grpcPort);
                routerProxies.add(proxy);
                routerAddresses.add(proxy.address());
            } else {
                routerAddresses.add("127.0.0.1:" + grpcPort);
            }
        }
        List<String> historyAddresses = new ArrayList<>();
        for (int i = 1; i <= historyReplicas; i++) {
            // Replica 1 keeps the names of the single-replica cluster ("history", history-data).
            String name = i == 1 ? "history" : "history-" + i;
            int grpcPort = LoopbackPorts.pick();
            int metricsPort = LoopbackPorts.pick();
            Path config = write(name + ".yaml", """
                    history:
                      id: "history-%d"
                      group-id: "switchboard-history-%d"
                      grpc:
                        port: %d
                    %s  metrics:
                        port: %d
                      data-dir: "%s"
                    %s""".formatted(i, i, grpcPort, serverTls("history"), metricsPort,
                    directory.resolve(name + "-data"), kafkaYaml));
            int index = i - 1;
            define(name, "io.switchboard.history.HistoryMain", config, metricsPort, p -> set(histories, index, p));
            historyAddresses.add("127.0.0.1:" + grpcPort);
        }
        String historyAddress = historyAddresses.isEmpty() ? null : String.join(",", historyAddresses);
        routerTargets.addAll(routerAddresses);
        String routersYaml = routerAddresses.stream().map(a -> "    - \"" + a + "\"").collect(Collectors.joining("\n"));
        for (int i = 1; i <= options.gateways(); i++) {
            int port = LoopbackPorts.pick();
            StringBuilder extra = new StringBuilder();
            if (historyAddress != null) {
                extra.append("  history:\n    address: \"").append(historyAddress).append("\"\n");
            }
            if (presenceAddress != null) {
                extra.append("  presence:\n    address: \"").append(presenceAddress).append("\"\n");
            }
            options.gatewaySettings().forEach((key, value) -> extra.append(yamlEntry(key, value)));
            // No warm-up before ready: each gateway JVM (and each restart in a drill) would spend tens of seconds on it.
            Path config = write("gateway-" + i + ".yaml", """
                    gateway:
                      id: "gateway-%d"
                      host: "127.0.0.1"
                      port: %d
                      routers:
                    %s
                      auth:
                        hs256-secret: "%s"
                      admin:
                        token: "%s"
                      warm-up:
                        messages: 0
                        connects: 0
                    %s%s%s%s""".formatted(i, port, routersYaml, options.secret(), ADMIN_TOKEN, extra,
                    gatewayTls(), clientTls("gateway"), kafkaYaml));
            int index = i - 1;
            define("gateway-" + i, "io.switchboard.gateway.GatewayMain", config,
                    URI.create(httpScheme() + "://127.0.0.1:" + port + "/observe/health/ready"), gatewayHttp,
                    p -> set(gateways, index, p));
            gatewayPorts.add(port);
        }
        // Start in dependency order; each tier waits for the previous one.
        List<String> order = new ArrayList<>(starters.keySet());
        for (String tier : List.of("presence", "router-", "history", "gateway-")) {
            List<ServiceProcess> started = new ArrayList<>();
            for (String name : order) {
                if (name.startsWith(tier)) {
                    started.add(starters.get(name).get());
                }
            }
            awaitReady(started);
        }
        if (options.haproxy()) {
            haproxy = HaproxyProcess.start(gatewayPorts, directory, haproxyTls());
        }
    }

    /** Defines presence instance {@code i} (of {@code options.presenceInstances()}) and returns its gRPC address. */
    private String definePresence(int i, String kafkaYaml) {
        int grpcPort = LoopbackPorts.pick();
        int metricsPort = LoopbackPorts.pick();
        StringBuilder extra = new StringBuilder();
        if (options.presenceInstances() > 1) {
            extra.append("  shards:\n    enabled: true\n    session-timeout: \"PT3S\"\n");
        }
        options.presenceSettings().forEach((key, value) -> extra.append("  ").append(key).append(": \"")
                .append(value).append("\"\n"));
        String name = i == 1 ? "presence" : "presence-" + i;
        Path config = write(name + ".yaml", """
                presence:
                  id: "presence-%d"
                  grpc:
                    port: %d
                %s  metrics:
                    port: %d
                %s%s""".formatted(i, grpcPort, serverTls("presence"), metricsPort, extra, kafkaYaml));
        int index = i - 1;
        define(name, "io.switchboard.presence.PresenceMain", config, metricsPort, p -> {
            set(presences, index, p);
            if (index == 0) {
                presence = p;
            }
        });
        return "127.0.0.1:" + grpcPort;
    }

    private String kafkaYaml() {
        String replication = options.kafkaNodes() > 1 ? "    replication-factor: 3\n    min-insync-replicas: 2\n" : "";
        return """
                kafka:
                  bootstrap-servers: "%s"
                  topic:
                    partitions: %s
                %s%s""".formatted(options.tls() ? kafka.sslBootstrapServers() : bootstrapServers(), TOPIC_PARTITIONS,
                replication, kafkaClientTls());
    }

    /** {@code key: "value"} one level inside the tier's block, a dotted key as nested blocks. */
    private static String yamlEntry(String key, String value) {
        StringBuilder yaml = new StringBuilder();
        String[] parts = key.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            yaml.append("  ".repeat(i + 1)).append(parts[i]).append(':');
            yaml.append(i < parts.length - 1 ? "\n" : " \"" + value + "\"\n");
        }
        return yaml.toString();
    }

    /** {@code <tier>.grpc.tls.*} (inside the tier's {@code grpc} block) with TLS, else nothing. */
    private String serverTls(String tier) {
        if (!options.tls()) {
            return "";
        }
        PemFiles own = certificates.get(tier);
        return """
                    tls:
                      certificate: "%s"
                      private-key: "%s"
                      trust-certificates: "%s"
                """.formatted(own.certificateChain(), own.privateKey(), own.caBundle());
    }

    /** {@code gateway.tls.*} with TLS: the gateways serve {@code wss://} with their own certificate; else nothing. */
    private String gatewayTls() {
        if (!options.tls()) {
            return "";
        }
        PemFiles own = certificates.get("gateway");
        return """
                  tls:
                    certificate: "%s"
                    private-key: "%s"
                """.formatted(own.certificateChain(), own.privateKey());
    }

    /** HAProxy's TLS with TLS: its own certificate and key in one file, and the CA of the gateways'. */
    private Optional<HaproxyProcess.Tls> haproxyTls() {
        if (!options.tls()) {
            return Optional.empty();
        }
        PemFiles lb = certificates.get("lb");
        Path pem = directory.resolve("tls").resolve("lb.pem");
        try {
            Files.writeString(pem, Files.readString(lb.certificateChain()) + Files.readString(lb.privateKey()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(new HaproxyProcess.Tls(pem, lb.caBundle()));
    }

    /** {@code <tier>.grpc-client.tls.*}: its channels present its own certificate. */
    private String clientTls(String tier) {
        if (!options.tls()) {
            return "";
        }
        PemFiles own = certificates.get(tier);
        return """
                  grpc-client:
                    tls:
                      enabled: true
                      trust-certificates: "%s"
                      certificate: "%s"
                      private-key: "%s"
                """.formatted(own.caBundle(), own.certificateChain(), own.privateKey());
    }

    /** The Kafka client security settings under both passthrough sections (each tier reads its own). */
    private String kafkaClientTls() {
        if (!options.tls()) {
            return "";
        }
        PemFiles client = certificates.get("kafka-client");
        StringBuilder yaml = new StringBuilder();
        for (String section : List.of("producer", "consumer")) {
            yaml.append("  ").append(section).append(":\n")
                    .append("    security.protocol: \"SSL\"\n")
                    .append("    ssl.truststore.type: \"PEM\"\n")
                    .append("    ssl.truststore.location: \"").append(client.caBundle()).append("\"\n")
                    .append("    ssl.keystore.type: \"PEM\"\n")
                    .append("    ssl.keystore.certificate.chain: ").append(yamlString(client.certificateChain()))
                    .append('\n')
                    .append("    ssl.keystore.key: ").append(yamlString(client.privateKey())).append('\n');
        }
        return yaml.toString();
    }

    /** A PEM file's text as one double-quoted YAML string. */
    private static String yamlString(Path pem) {
        try {
            return "\"" + Files.readString(pem).replace("\n", "\\n") + "\"";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void define(String name, String mainClass, Path config, int metricsPort, Consumer<ServiceProcess> sink) {
        define(name, mainClass, config, URI.create("http://127.0.0.1:" + metricsPort + "/health/ready"),
                ServiceProcess.PLAIN_HTTP, sink);
    }

    /** Registers how to (re)start {@code name}; {@code sink} learns each new process. */
    private void define(String name, String mainClass, Path config, URI readiness, HttpClient http,
                        Consumer<ServiceProcess> sink) {
        starters.put(name, () -> {
            ServiceProcess p = ServiceProcess.start(name, mainClass, config, readiness, http, directory,
                    childJvmOptions);
            sink.accept(p);
            return p;
        });
    }

    private static void set(List<ServiceProcess> list, int index, ServiceProcess process) {
        while (list.size() <= index) {
            list.add(null);
        }
        list.set(index, process);
    }

    /** Starts {@code name} again (same config, ports and data) after it was killed or stopped, and waits until ready. */
    ServiceProcess restart(String name) {
        return restart(List.of(name)).getFirst();
    }

    /** Starts each of {@code names} again, all at once (as a scheduler restarts a tier), and waits until all are ready. */
    List<ServiceProcess> restart(String first, String... more) {
        List<String> names = new ArrayList<>(List.of(first));
        names.addAll(List.of(more));
        return restart(names);
    }

    private List<ServiceProcess> restart(List<String> names) {
        List<ServiceProcess> started = new ArrayList<>();
        for (String name : names) {
            Supplier<ServiceProcess> starter = starters.get(name);
            if (starter == null) {
                throw new IllegalArgumentException("no service " + name + " (expected one of " + starters.keySet() + ")");
            }
            started.add(starter.get());
        }
        awaitReady(started);
        return started;
    }

    /** Starts the history process again (same data directory and ports) and waits until it is ready. */
    void startHistory() {
        ServiceProcess history = history();
        if (history != null && history.isAlive()) {
            throw new IllegalStateException("history is running");
        }
        restart("history");
    }

    /** The (first) history process, or null when the cluster has none. */
    ServiceProcess history() {
        return histories.isEmpty() ? null : histories.getFirst();
    }

    /** Every history replica, in order ({@code history}, {@code history-2}...); empty without history. */
    List<ServiceProcess> histories() {
        return List.copyOf(histories);
    }

    /** The (first) presence process, or null when the cluster has none. */
    ServiceProcess presence() {
        return presence;
    }

    /** The routers' gRPC {@code host:port}s (their fault proxies' when the cluster has them). */
    List<String> routerAddresses() {
        return List.copyOf(routerTargets);
    }

    /** The presence instances' gRPC {@code host:port}s, in instance order. */
    List<String> presenceAddresses() {
        return List.copyOf(presenceTargets);
    }

    /** Every presence process, in instance order (empty when the cluster has none). */
    List<ServiceProcess> presences() {
        return List.copyOf(presences);
    }

    /** The embedded Kafka cluster; fails when the cluster runs against an external one. */
    EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("this cluster uses the external Kafka " + options.externalKafka());
        }
        return kafka;
    }

    /** Every embedded Kafka node is running; always true for an external Kafka, which is not ours to watch. */
    boolean kafkaNodesRunning() {
        return kafka == null || kafka.nodeIds().stream().allMatch(kafka::isRunning);
    }

    String bootstrapServers() {
        return kafka != null ? kafka.bootstrapServers() : options.externalKafka();
    }

    /** The fault proxy in front of router {@code index} (0-based); requires {@code routerProxies}. */
    FaultProxy routerProxy(int index) {
        return routerProxies.get(index);
    }

    /** The cluster's working directory (configs, data, logs). */
    Path directory() {
        return directory;
    }

    /** The HAProxy front end, when started. */
    Optional<HaproxyProcess> haproxy() {
        return Optional.ofNullable(haproxy);
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
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(service::isReady);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError(service.name() + " not ready within 90s; log tail:\n" + service.logTail(), e);
            }
        }
    }

    /** The gateways' own WebSocket URIs (bypassing HAProxy): {@code wss://} with TLS. */
    List<URI> webSocketUris() {
        return gatewayPorts.stream().map(p -> URI.create(webSocketScheme() + "://127.0.0.1:" + p + "/ws")).toList();
    }

    /** The load balancer's WebSocket URI ({@code wss://} with TLS); requires {@code haproxy}. */
    URI balancedUri() {
        return URI.create(webSocketScheme() + "://127.0.0.1:" + haproxy.port() + "/ws");
    }

    /** The HTTP base URI of gateway {@code index} (0-based), for its admin and health endpoints. */
    URI gatewayHttp(int index) {
        return URI.create(httpScheme() + "://127.0.0.1:" + gatewayPorts.get(index));
    }

    /** What a client of the gateways and of HAProxy trusts: the cluster's CA with TLS, else empty (plain). */
    Optional<SSLContext> clientTls() {
        return Optional.ofNullable(clientTls);
    }

    private String webSocketScheme() {
        return options.tls() ? "wss" : "ws";
    }

    private String httpScheme() {
        return options.tls() ? "https" : "http";
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
        for (ServiceProcess s : allProcesses()) {
            all.append("--- ").append(s.name()).append('\n').append(s.logTail()).append('\n');
        }
        if (haproxy != null) {
            all.append("--- haproxy\n").append(haproxy.logTail()).append('\n');
        }
        return all.toString();
    }

    private List<ServiceProcess> allProcesses() {
        List<ServiceProcess> all = new ArrayList<>();
        gateways.stream().filter(java.util.Objects::nonNull).forEach(all::add);
        histories.stream().filter(java.util.Objects::nonNull).forEach(all::add);
        routers.stream().filter(java.util.Objects::nonNull).forEach(all::add);
        presences.stream().filter(java.util.Objects::nonNull).forEach(all::add);
        return all;
    }

    @Override
    public void close() {
        if (haproxy != null) {
            haproxy.close();
        }
        allProcesses().forEach(ServiceProcess::close);
        routerProxies.forEach(FaultProxy::close);
        if (kafka != null) {
            kafka.close();
        }
        if (!Boolean.getBoolean("switchboard.keep-cluster-dir")) {
            try (var paths = Files.walk(directory)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + directory, e);
            }
        }
    }
}
