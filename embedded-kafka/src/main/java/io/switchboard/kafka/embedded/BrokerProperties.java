package io.switchboard.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Builds each node's server.properties: a combined broker+controller with a static quorum over every node of the
 * cluster, listeners on the loopback address, and defaults sized for a small local cluster. User overrides are
 * applied last and win.
 *
 * <p>Thread-safe (immutable).
 */
final class BrokerProperties {

    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private static final String SSL_LISTENER = "SSL";
    private static final String SASL_LISTENER = "SASL_SSL";

    private final List<NodeSpec> cluster;
    private final Map<String, String> overrides;
    private final SslListener ssl;
    private final ScramListener scram;

    BrokerProperties(List<NodeSpec> cluster, Map<String, String> overrides) {
        this(cluster, overrides, null, null);
    }

    /**
     * @param ssl   the SSL client listener's certificates, or null without one
     * @param scram the SASL_SSL client listener's certificates and users, or null without one
     */
    BrokerProperties(List<NodeSpec> cluster, Map<String, String> overrides, SslListener ssl, ScramListener scram) {
        this.cluster = List.copyOf(cluster);
        this.overrides = Map.copyOf(overrides);
        this.ssl = ssl;
        this.scram = scram;
    }

    /** The defaults that depend on the cluster size; see the module README for the reasoning. */
    static Map<String, String> clusterDefaults(int nodes) {
        String replication = Integer.toString(Math.min(3, nodes));
        String minIsr = nodes >= 3 ? "2" : "1";
        Map<String, String> defaults = new TreeMap<>();
        defaults.put("default.replication.factor", replication);
        defaults.put("min.insync.replicas", minIsr);
        defaults.put("offsets.topic.replication.factor", replication);
        defaults.put("transaction.state.log.replication.factor", replication);
        defaults.put("transaction.state.log.min.isr", minIsr);
        defaults.put("share.coordinator.state.topic.replication.factor", replication);
        defaults.put("share.coordinator.state.topic.min.isr", minIsr);
        // 50 partitions per internal topic (the default) make the first consumer group and transaction slow locally.
        defaults.put("offsets.topic.num.partitions", "10");
        defaults.put("transaction.state.log.num.partitions", "10");
        defaults.put("share.coordinator.state.topic.num.partitions", "10");
        // With the default 3 s delay a fresh consumer group sat idle; tests and local runs want it at once.
        defaults.put("group.initial.rebalance.delay.ms", "0");
        // Sharded presence instances (presence.shards.session-timeout) fail over within seconds, below the 6 s default.
        defaults.put("group.min.session.timeout.ms", "1000");
        // Topics are created explicitly (the router does it); a typo must not create a topic.
        defaults.put("auto.create.topics.enable", "false");
        defaults.put("num.partitions", "1");
        // Fence a SIGKILLed broker in ~3 s instead of the default 9 s so chaos tests fail over quickly.
        defaults.put("broker.session.timeout.ms", "3000");
        defaults.put("broker.heartbeat.interval.ms", "500");
        // Sized for a 2-core machine with several nodes per JVM; the cleaner's 128 MB default buffer is per node.
        defaults.put("num.network.threads", "2");
        defaults.put("num.io.threads", "4");
        defaults.put("background.threads", "4");
        defaults.put("num.recovery.threads.per.data.dir", "1");
        defaults.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        return defaults;
    }

    /** The complete configuration of {@code node}. */
    Properties forNode(NodeSpec node) {
        Properties props = new Properties();
        props.putAll(clusterDefaults(cluster.size()));
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(node.id()));
        props.put("controller.quorum.voters", voters());
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("listeners", BROKER_LISTENER + "://" + node.host() + ":" + node.brokerPort() + ","
                + CONTROLLER_LISTENER + "://" + node.host() + ":" + node.controllerPort());
        props.put("advertised.listeners", BROKER_LISTENER + "://" + node.brokerAddress());
        props.put("log.dirs", node.logDirectory().toAbsolutePath().toString());
        // Further listeners for TLS and SCRAM clients; the PLAINTEXT one stays for the brokers and this module's probes.
        if (ssl != null && node.sslPort() > 0) {
            addClientListener(props, SSL_LISTENER, node.sslAddress(), ssl.properties(listenerPrefix(SSL_LISTENER)));
        }
        if (scram != null && node.saslPort() > 0) {
            addClientListener(props, SASL_LISTENER, node.saslAddress(),
                    scram.properties(listenerPrefix(SASL_LISTENER)));
        }
        props.putAll(overrides);
        return props;
    }

    /** Adds listener {@code name} (its security protocol of the same name) at {@code address}, with its settings. */
    private static void addClientListener(Properties props, String name, String address, Map<String, String> settings) {
        props.put("listener.security.protocol.map", props.getProperty("listener.security.protocol.map")
                + "," + name + ":" + name);
        props.put("listeners", props.getProperty("listeners") + "," + name + "://" + address);
        props.put("advertised.listeners", props.getProperty("advertised.listeners") + "," + name + "://" + address);
        props.putAll(settings);
    }

    private static String listenerPrefix(String name) {
        return "listener.name." + name.toLowerCase(java.util.Locale.ROOT) + ".";
    }

    /** Writes {@link #forNode} to the node's server.properties (Properties.store sorts keys since JDK 18). */
    void write(NodeSpec node) {
        try {
            Files.createDirectories(node.directory());
            try (Writer writer = Files.newBufferedWriter(node.propertiesFile(), StandardCharsets.UTF_8)) {
                forNode(node).store(writer, "Generated by switchboard-embedded-kafka for node " + node.id());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + node.propertiesFile(), e);
        }
    }

    private String voters() {
        return cluster.stream()
                .map(n -> n.id() + "@" + n.host() + ":" + n.controllerPort())
                .collect(Collectors.joining(","));
    }
}
