package io.switchboard.kafka.embedded;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One combined broker+controller node, run either in this JVM or in a child JVM. A node can be launched again after
 * it was stopped or killed; it keeps its {@link NodeSpec} (ports, data) for life.
 *
 * <p>Implementations are thread-safe: state changes are atomic, so a shutdown hook may race a test thread.
 */
sealed interface KafkaNode permits InProcessNode, ChildProcessNode {

    NodeSpec spec();

    /** Starts the node. Returns once it is launched, not necessarily ready to serve clients. */
    void launch() throws Exception;

    /** Whether the node was launched and has not been stopped or killed (a child may have died on its own). */
    boolean isRunning();

    /** Empty while the node can still become ready; otherwise why it cannot (e.g. its JVM exited). */
    Optional<String> failure();

    /**
     * Stops the node gracefully (controlled shutdown). A child JVM gets {@code grace} to exit after SIGTERM before it
     * is killed; an in-process node blocks until Kafka's own shutdown returns, so callers bound the wait themselves.
     */
    void stop(Duration grace) throws InterruptedException;

    /** Kills the node's process at once (SIGKILL) and waits for it to be gone. */
    void kill() throws InterruptedException;

    /** The node's process id, when it runs in its own process. */
    OptionalLong pid();

    /** Text that helps explain a failure, e.g. the tail of the node's log; may be empty. */
    String diagnostics();
}
