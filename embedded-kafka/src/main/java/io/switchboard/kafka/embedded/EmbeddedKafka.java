package io.switchboard.kafka.embedded;

import io.switchboard.service.LoopbackPorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Apache Kafka KRaft cluster of 1 to 5 nodes, each a combined broker+controller, with a static controller
 * quorum over all nodes and every listener on 127.0.0.1.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().nodes(3).build()) {
 *     kafka.start();
 *     kafka.createTopic("switchboard.rooms", 6, (short) 3);
 *     String bootstrap = kafka.bootstrapServers();
 *     ...
 * }
 * }</pre>
 *
 * <p>In {@link Mode#IN_PROCESS} every node is a {@code KafkaRaftServer} inside this JVM; in {@link
 * Mode#CHILD_PROCESS} every node is its own JVM ({@link KafkaNodeMain} on this JVM's classpath, -Xmx512m), which
 * {@link #killNode} can SIGKILL. A JVM shutdown hook closes a child-process cluster so no child outlives a crashed
 * test, and each child also exits on its own when this JVM disappears.
 *
 * <p>Lifecycle: {@link #start()} once, then node operations, then {@link #close()} (idempotent). A second
 * {@code start()} fails. Thread-safe: lifecycle and node operations are serialised by one lock; {@link
 * #bootstrapServers()}, {@link #nodeCount()} and {@link #pidOf} do not block.
 *
 * <p>Size: the cluster's lifecycle and the node operations the chaos tests use (kill, restart, pid) share the node
 * map and the one lock that serialises them; the per-node work is in {@code KafkaNode} and {@link KafkaNodeMain}.
 */
public final class EmbeddedKafka implements AutoCloseable {

    /** Where the nodes run. */
    public enum Mode {
        /** Every node inside this JVM: fastest to start; nodes can be stopped but not killed. */
        IN_PROCESS,
        /** Every node in its own child JVM, so that a node can be SIGKILLed. */
        CHILD_PROCESS
    }

    private enum State { NEW, RUNNING, CLOSED }

    /** The most nodes a cluster may have; each is a voter of the static quorum. */
    public static final int MAX_NODES = 5;

    static final String HOST = "127.0.0.1";

    private static final System.Logger LOG = System.getLogger(EmbeddedKafka.class.getName());
    /** Extra time beyond a node's own stop grace before a stop counts as hung. */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(10);

    private final int nodeCount;
    private final Path configuredDataDirectory;
    private final Map<String, String> brokerProperties;
    private final Mode mode;
    private final int basePort;
    private final int controllerBasePort;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final List<String> childJvmOptions;
    private final SslListener ssl;
    private final ScramListener scram;

    private final ReentrantLock lock = new ReentrantLock();
    /** Written under {@link #lock}; volatile so that non-blocking accessors see it. */
    private volatile State state = State.NEW;
    /** Node id to node; assigned once under {@link #lock} by start(), then never modified. */
    private volatile Map<Integer, KafkaNode> nodes = Map.of();
    /** @GuardedBy("lock") */
    private Path dataDirectory;
    /** @GuardedBy("lock") */
    private boolean ownsDataDirectory;
    /** @GuardedBy("lock") */
    private Thread shutdownHook;
    /** @GuardedBy("lock"); keeps Kafka's JUL levels in force while this cluster lives. */
    private KafkaLogLevels logLevels;

    private EmbeddedKafka(Builder builder) {
        this.nodeCount = builder.nodes;
        this.configuredDataDirectory = builder.dataDirectory;
        this.brokerProperties = Map.copyOf(builder.brokerProperties);
        this.mode = builder.mode;
        this.basePort = builder.basePort;
        this.controllerBasePort = builder.controllerBasePort;
        this.startTimeout = builder.startTimeout;
        this.stopTimeout = builder.stopTimeout;
        this.childJvmOptions = List.copyOf(builder.childJvmOptions);
        this.ssl = builder.ssl;
        this.scram = builder.scram;
    }

    /** A builder with the defaults: 1 node, in-process, temporary data directory, free ports. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats storage and starts every node in parallel; returns when every node answers a metadata request and is
     * registered as a live broker.
     *
     * @throws IllegalStateException if already started or closed, or if a node fails or is not ready within the
     *     start timeout (everything started so far is stopped again and the instance is closed)
     */
    public void start() {
        lock.lock();
        try {
            if (state != State.NEW) {
                throw new IllegalStateException("start: " + (state == State.RUNNING ? "already started" : "closed")
                        + " (expected: a new EmbeddedKafka)");
            }
            state = State.RUNNING;
            try {
                logLevels = KafkaLogLevels.apply();
                prepareDataDirectory();
                List<NodeSpec> specs = layout();
                BrokerProperties properties = new BrokerProperties(specs, brokerProperties, ssl, scram);
                specs.forEach(properties::write);
                String clusterId = StorageFormatter.clusterId(specs);
                specs.forEach(spec -> StorageFormatter.format(spec, clusterId));
                Map<Integer, KafkaNode> created = new TreeMap<>();
                for (NodeSpec spec : specs) {
                    created.put(spec.id(), mode == Mode.IN_PROCESS
                            ? new InProcessNode(spec, properties.forNode(spec))
                            : ChildProcessNode.create(spec, childJvmOptions));
                }
                nodes = Collections.unmodifiableMap(created); // sorted by id: bootstrapServers() lists node 1 first
                if (mode == Mode.CHILD_PROCESS) {
                    shutdownHook = Thread.ofPlatform().name("embedded-kafka-shutdown-hook").unstarted(this::close);
                    Runtime.getRuntime().addShutdownHook(shutdownHook);
                }
                launchAndAwait(List.copyOf(created.values()), "start");
                if (scram != null) {
                    ScramUsers.create(bootstrapServers(), scram.users(), startTimeout);
                }
                LOG.log(System.Logger.Level.DEBUG, "Kafka cluster of {0} node(s) ready at {1} ({2}, data in {3})",
                        nodeCount, bootstrapServers(), mode, dataDirectory);
            } catch (InterruptedException e) {
                closeLocked();
                throw interrupted("start", e);
            } catch (RuntimeException | Error e) {
                closeLocked();
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /** "127.0.0.1:p1,127.0.0.1:p2,..." over every node, running or not (clients skip unreachable entries). */
    public String bootstrapServers() {
        Map<Integer, KafkaNode> current = nodes;
        if (current.isEmpty()) {
            throw new IllegalStateException("bootstrapServers: not started (expected: call start() first)");
        }
        return current.values().stream().map(n -> n.spec().brokerAddress()).collect(Collectors.joining(","));
    }

    /**
     * "127.0.0.1:s1,127.0.0.1:s2,..." of the SSL client listeners (see {@link Builder#sslListener}).
     *
     * @throws IllegalStateException when not started or started without an SSL listener
     */
    public String sslBootstrapServers() {
        Map<Integer, KafkaNode> current = nodes;
        if (current.isEmpty() || ssl == null) {
            throw new IllegalStateException("sslBootstrapServers: " + (ssl == null ? "no SSL listener" : "not started")
                    + " (expected: built with sslListener(...) and started)");
        }
        return current.values().stream().map(n -> n.spec().sslAddress()).collect(Collectors.joining(","));
    }

    /**
     * "127.0.0.1:s1,127.0.0.1:s2,..." of the SASL_SSL (SCRAM-SHA-512) client listeners (see
     * {@link Builder#scramListener}).
     *
     * @throws IllegalStateException when not started or started without a SCRAM listener
     */
    public String saslBootstrapServers() {
        Map<Integer, KafkaNode> current = nodes;
        if (current.isEmpty() || scram == null) {
            throw new IllegalStateException("saslBootstrapServers: " + (scram == null ? "no SCRAM listener"
                    : "not started") + " (expected: built with scramListener(...) and started)");
        }
        return current.values().stream().map(n -> n.spec().saslAddress()).collect(Collectors.joining(","));
    }

    /** "127.0.0.1:port" of one node's client listener. */
    public String brokerAddress(int nodeId) {
        return node("brokerAddress", nodeId).spec().brokerAddress();
    }

    /** The number of nodes configured (running or not). */
    public int nodeCount() {
        return nodeCount;
    }

    /** The node ids, 1 to {@link #nodeCount()}. */
    public List<Integer> nodeIds() {
        return Stream.iterate(1, i -> i + 1).limit(nodeCount).toList();
    }

    /** How the nodes run. */
    public Mode mode() {
        return mode;
    }

    /** The cluster's data directory (one sub-directory per node); available once started. */
    public Path dataDirectory() {
        lock.lock();
        try {
            if (dataDirectory == null) {
                throw new IllegalStateException("dataDirectory: not started (expected: call start() first)");
            }
            return dataDirectory;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the node runs (child mode: its JVM is alive). */
    public boolean isRunning(int nodeId) {
        return node("isRunning", nodeId).isRunning();
    }

    /**
     * Creates a topic through an AdminClient and waits until every partition has a leader. An existing topic is
     * accepted as is (its partition count and replication factor are not compared).
     */
    public void createTopic(String name, int partitions, short replicationFactor) {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions: " + partitions + " (expected: >= 1)");
        }
        if (replicationFactor < 1 || replicationFactor > nodeCount) {
            throw new IllegalArgumentException("replicationFactor: " + replicationFactor
                    + " (expected: 1.." + nodeCount + ")");
        }
        checkRunning("createTopic");
        String running = nodes.values().stream().filter(KafkaNode::isRunning)
                .map(n -> n.spec().brokerAddress()).collect(Collectors.joining(","));
        if (running.isEmpty()) {
            throw new IllegalStateException("createTopic: no node is running");
        }
        try {
            TopicCreator.create(running, name, partitions, replicationFactor, startTimeout);
        } catch (InterruptedException e) {
            throw interrupted("createTopic", e);
        }
    }

    /** Stops one node gracefully (controlled shutdown). Does nothing if the node is not running. */
    public void stopNode(int nodeId) {
        lock.lock();
        try {
            checkRunning("stopNode");
            KafkaNode node = node("stopNode", nodeId);
            stopAll(List.of(node)).throwIfFailed("stopNode " + nodeId, stopTimeout.plus(STOP_MARGIN));
        } catch (InterruptedException e) {
            throw interrupted("stopNode", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Kills one node's JVM with SIGKILL (no controlled shutdown, nothing flushed) and waits until it is gone. Does
     * nothing if the node is not running.
     *
     * @throws UnsupportedOperationException in {@link Mode#IN_PROCESS}
     */
    public void killNode(int nodeId) {
        if (mode != Mode.CHILD_PROCESS) {
            throw new UnsupportedOperationException(
                    "killNode: mode " + mode + " (expected: " + Mode.CHILD_PROCESS + ")");
        }
        lock.lock();
        try {
            checkRunning("killNode");
            node("killNode", nodeId).kill();
        } catch (InterruptedException e) {
            throw interrupted("killNode", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts a stopped or killed node again, on the same ports with the same data, and waits until it is ready.
     *
     * @throws IllegalStateException if the node is running, or does not become ready within the start timeout
     */
    public void restartNode(int nodeId) {
        lock.lock();
        try {
            checkRunning("restartNode");
            KafkaNode node = node("restartNode", nodeId);
            if (node.isRunning()) {
                throw new IllegalStateException("restartNode: node " + nodeId
                        + " is running (expected: stopped or killed)");
            }
            launchAndAwait(List.of(node), "restart");
        } catch (InterruptedException e) {
            throw interrupted("restartNode", e);
        } finally {
            lock.unlock();
        }
    }

    /** The process id of a node's JVM; empty in {@link Mode#IN_PROCESS} or when the node is not running. */
    public OptionalLong pidOf(int nodeId) {
        return node("pidOf", nodeId).pid();
    }

    /**
     * Stops every running node in parallel, each bounded by the stop timeout (a child that outlives it is killed; an
     * in-process node that does is abandoned with a warning), then deletes the data directory if it was a temporary
     * one. Idempotent; never throws for a slow or failing node (it logs a warning instead).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closeLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        Map<Integer, KafkaNode> current = nodes;
        return "EmbeddedKafka[" + mode + ", " + nodeCount + " node(s), " + state
                + (current.isEmpty() ? "" : ", " + bootstrapServers()) + "]";
    }

    private void closeLocked() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        boolean allStopped = true;
        try {
            Parallel.Outcome outcome = stopAll(nodes.values());
            outcome.failures().forEach((id, error) -> LOG.log(System.Logger.Level.WARNING,
                    "stopping Kafka node " + id + " failed", error));
            outcome.unfinished().forEach(id -> LOG.log(System.Logger.Level.WARNING,
                    "Kafka node {0} did not stop within {1}; abandoning it", id, stopTimeout.plus(STOP_MARGIN)));
            allStopped = outcome.unfinished().isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            allStopped = false;
            LOG.log(System.Logger.Level.WARNING, "interrupted while stopping Kafka nodes; some may still run", e);
        }
        removeShutdownHook();
        if (ownsDataDirectory && dataDirectory != null) {
            if (allStopped) {
                deleteRecursively(dataDirectory);
            } else {
                LOG.log(System.Logger.Level.WARNING, "keeping {0}: a Kafka node may still be using it", dataDirectory);
            }
        }
    }

    /** Launches the nodes in parallel and waits for each to be ready; on failure stops them again. */
    private void launchAndAwait(List<KafkaNode> toStart, String action) throws InterruptedException {
        Map<Integer, Parallel.Task> tasks = new LinkedHashMap<>();
        for (KafkaNode node : toStart) {
            tasks.put(node.spec().id(), () -> {
                node.launch();
                ReadinessProbe.await(node, startTimeout);
            });
        }
        // The probe enforces startTimeout itself; the margin only covers an in-process startup() that never returns.
        Duration overall = startTimeout.plus(STOP_MARGIN);
        Parallel.Outcome outcome = Parallel.run(action, tasks, overall);
        if (!outcome.succeeded()) {
            Parallel.Outcome stopped = stopAll(toStart);
            stopped.unfinished().forEach(id -> LOG.log(System.Logger.Level.WARNING,
                    "Kafka node {0} did not stop after a failed {1}; abandoning it", id, action));
            outcome.throwIfFailed(action + " of Kafka (" + mode + ")", overall);
        }
    }

    private Parallel.Outcome stopAll(Collection<KafkaNode> toStop) throws InterruptedException {
        Map<Integer, Parallel.Task> tasks = new LinkedHashMap<>();
        for (KafkaNode node : toStop) {
            tasks.put(node.spec().id(), () -> node.stop(stopTimeout));
        }
        return Parallel.run("stop", tasks, stopTimeout.plus(STOP_MARGIN));
    }

    private void prepareDataDirectory() {
        try {
            if (configuredDataDirectory != null) {
                dataDirectory = Files.createDirectories(configuredDataDirectory).toAbsolutePath();
                ownsDataDirectory = false;
            } else {
                dataDirectory = Files.createTempDirectory("embedded-kafka-").toAbsolutePath();
                ownsDataDirectory = true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka data directory", e);
        }
    }

    /** Chooses every node's ports (free ones unless base ports were given); must precede formatting. */
    private List<NodeSpec> layout() {
        int freeNeeded = (basePort == 0 ? nodeCount : 0) + (controllerBasePort == 0 ? nodeCount : 0)
                + (ssl != null ? nodeCount : 0) + (scram != null ? nodeCount : 0);
        List<Integer> fixed = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            if (basePort != 0) {
                fixed.add(basePort + i);
            }
            if (controllerBasePort != 0) {
                fixed.add(controllerBasePort + i);
            }
        }
        // Below the ephemeral range, so no client connection takes a node's port before (or between) its starts.
        List<Integer> free = java.util.stream.Stream.generate(LoopbackPorts::pick)
                .filter(port -> !fixed.contains(port)).limit(freeNeeded).toList();
        int next = 0;
        List<NodeSpec> specs = new ArrayList<>(nodeCount);
        for (int id = 1; id <= nodeCount; id++) {
            int brokerPort = basePort != 0 ? basePort + id - 1 : free.get(next++);
            int controllerPort = controllerBasePort != 0 ? controllerBasePort + id - 1 : free.get(next++);
            int sslPort = ssl != null ? free.get(next++) : 0;
            int saslPort = scram != null ? free.get(next++) : 0;
            specs.add(new NodeSpec(id, HOST, brokerPort, controllerPort, dataDirectory.resolve("node-" + id),
                    sslPort, saslPort));
        }
        return List.copyOf(specs);
    }

    private void removeShutdownHook() {
        Thread hook = shutdownHook;
        shutdownHook = null;
        if (hook == null || hook == Thread.currentThread()) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down and the hook will run (and find this instance closed).
            LOG.log(System.Logger.Level.DEBUG, "shutdown in progress; hook left in place", e);
        }
    }

    private KafkaNode node(String operation, int nodeId) {
        if (nodeId < 1 || nodeId > nodeCount) {
            throw new IllegalArgumentException(operation + ": nodeId " + nodeId + " (expected: 1.." + nodeCount + ")");
        }
        KafkaNode node = nodes.get(nodeId);
        if (node == null) {
            throw new IllegalStateException(operation + ": not started (expected: call start() first)");
        }
        return node;
    }

    private void checkRunning(String operation) {
        State current = state;
        if (current != State.RUNNING) {
            throw new IllegalStateException(operation + ": cluster is " + current.name().toLowerCase(Locale.ROOT)
                    + " (expected: started and not closed)");
        }
    }

    private static IllegalStateException interrupted(String operation, InterruptedException e) {
        Thread.currentThread().interrupt();
        return new IllegalStateException(operation + ": interrupted", e);
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete Kafka data directory " + root, e);
        }
    }

    /**
     * Configures an {@link EmbeddedKafka}. Setters validate at once; {@link #build()} checks the rules that span
     * several settings. Not thread-safe.
     */
    public static final class Builder {

        private int nodes = 1;
        private Path dataDirectory;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private Mode mode = Mode.IN_PROCESS;
        private int basePort;
        private int controllerBasePort;
        private Duration startTimeout = Duration.ofSeconds(60);
        private Duration stopTimeout = Duration.ofSeconds(20);
        private final List<String> childJvmOptions = new ArrayList<>();
        private SslListener ssl;
        private ScramListener scram;

        private Builder() {
        }

        /**
         * A further client listener per node that speaks TLS, on a free port ({@link #sslBootstrapServers()}), with
         * {@code ssl}'s certificate and, when it names a CA bundle, client certificates required. The PLAINTEXT
         * listener stays for the brokers themselves and this module's readiness probe.
         */
        public Builder sslListener(SslListener ssl) {
            this.ssl = Objects.requireNonNull(ssl, "ssl");
            return this;
        }

        /**
         * A further client listener per node that speaks SASL_SSL with SCRAM-SHA-512, on a free port
         * ({@link #saslBootstrapServers()}), with {@code scram}'s certificate; its users are created once the cluster
         * is up, before {@link #start()} returns.
         */
        public Builder scramListener(ScramListener scram) {
            this.scram = Objects.requireNonNull(scram, "scram");
            return this;
        }

        /** Number of combined broker+controller nodes, 1 to {@value EmbeddedKafka#MAX_NODES}; default 1. */
        public Builder nodes(int nodes) {
            if (nodes < 1 || nodes > MAX_NODES) {
                throw new IllegalArgumentException("nodes: " + nodes + " (expected: 1.." + MAX_NODES + ")");
            }
            this.nodes = nodes;
            return this;
        }

        /**
         * Directory for all node data (kept on close, reused by the next start: formatted nodes are not formatted
         * again). Default: a temporary directory deleted on close.
         */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /** A server.properties entry for every node; wins over the defaults (see the module README). */
        public Builder brokerProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.isBlank()) {
                throw new IllegalArgumentException("brokerProperty key: '" + key + "' (expected: non-blank)");
            }
            brokerProperties.put(key.strip(), value);
            return this;
        }

        /** Where the nodes run; default {@link Mode#IN_PROCESS}. */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Client port of node 1 (node i gets {@code port + i - 1}); 0, the default, picks free ports. */
        public Builder basePort(int port) {
            this.basePort = checkPort("basePort", port);
            return this;
        }

        /** Controller port of node 1 (node i gets {@code port + i - 1}); 0, the default, picks free ports. */
        public Builder controllerBasePort(int port) {
            this.controllerBasePort = checkPort("controllerBasePort", port);
            return this;
        }

        /** How long start() and restartNode() wait for a node to become ready; default 60 s. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = checkPositive("startTimeout", timeout);
            return this;
        }

        /** How long a node gets to stop gracefully (a child is then killed); default 20 s. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = checkPositive("stopTimeout", timeout);
            return this;
        }

        /** An extra JVM option for every child JVM (child-process mode), e.g. {@code -XX:+UseSerialGC}. */
        public Builder childJvmOption(String option) {
            Objects.requireNonNull(option, "option");
            if (!option.startsWith("-")) {
                throw new IllegalArgumentException("childJvmOption: '" + option + "' (expected: starts with '-')");
            }
            childJvmOptions.add(option);
            return this;
        }

        public EmbeddedKafka build() {
            checkRange("basePort", basePort);
            checkRange("controllerBasePort", controllerBasePort);
            if (basePort != 0 && controllerBasePort != 0
                    && basePort < controllerBasePort + nodes && controllerBasePort < basePort + nodes) {
                throw new IllegalArgumentException("controllerBasePort: " + controllerBasePort
                        + " (expected: ports " + controllerBasePort + ".." + (controllerBasePort + nodes - 1)
                        + " not to overlap the client ports " + basePort + ".." + (basePort + nodes - 1) + ")");
            }
            if (!childJvmOptions.isEmpty() && mode != Mode.CHILD_PROCESS) {
                throw new IllegalArgumentException("childJvmOption: " + childJvmOptions
                        + " (expected: only with mode " + Mode.CHILD_PROCESS + ")");
            }
            return new EmbeddedKafka(this);
        }

        private void checkRange(String name, int port) {
            if (port != 0 && port + nodes - 1 > 65535) {
                throw new IllegalArgumentException(name + ": " + port + " (expected: " + name + " + nodes - 1 <= 65535)");
            }
        }

        private static int checkPort(String name, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + ": " + port + " (expected: 0..65535, 0 = free ports)");
            }
            return port;
        }

        private static Duration checkPositive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }
    }
}
