package io.switchboard.kafka.embedded;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * A node running as a {@link KafkaRaftServer} inside this JVM. Cannot be killed: there is no process to kill.
 *
 * <p>Thread-safe: the running server is held in an atomic reference.
 */
final class InProcessNode implements KafkaNode {

    private final NodeSpec spec;
    private final Properties config;
    private final AtomicReference<KafkaRaftServer> server = new AtomicReference<>();

    InProcessNode(NodeSpec spec, Properties config) {
        this.spec = spec;
        this.config = (Properties) config.clone();
    }

    @Override
    public NodeSpec spec() {
        return spec;
    }

    @Override
    public void launch() {
        KafkaRaftServer created = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        if (!server.compareAndSet(null, created)) {
            throw new IllegalStateException("node " + spec.id() + " is already running");
        }
        // startup() blocks until the broker has caught up with the metadata log, which needs a controller quorum.
        created.startup();
    }

    @Override
    public boolean isRunning() {
        return server.get() != null;
    }

    @Override
    public Optional<String> failure() {
        return Optional.empty();
    }

    @Override
    public void stop(Duration grace) {
        KafkaRaftServer running = server.getAndSet(null);
        if (running != null) {
            running.shutdown();
            running.awaitShutdown();
        }
    }

    @Override
    public void kill() {
        throw new UnsupportedOperationException("killNode: node " + spec.id()
                + " runs in this JVM (expected: Mode.CHILD_PROCESS to kill a node)");
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.empty();
    }

    @Override
    public String diagnostics() {
        return "";
    }
}
