package io.switchboard.kafka.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one task per node, each on its own named daemon thread, and waits for all of them with one deadline.
 *
 * <p>Nodes of one cluster must start together (a broker waits for a controller quorum) and stop together (stopping
 * them one after another hung for minutes). A task that overruns the deadline is reported as unfinished and its
 * thread is abandoned: it is a daemon, so it cannot keep the JVM alive. Thread-safe (stateless).
 */
final class Parallel {

    /** A piece of work for one node. */
    @FunctionalInterface
    interface Task {
        void run() throws Exception;
    }

    /**
     * What happened.
     *
     * @param failures node id to the exception its task threw
     * @param unfinished node ids whose task was still running at the deadline
     */
    record Outcome(SortedMap<Integer, Throwable> failures, SortedSet<Integer> unfinished) {

        boolean succeeded() {
            return failures.isEmpty() && unfinished.isEmpty();
        }

        /** Throws an {@link IllegalStateException} describing every failure, or returns if all succeeded. */
        void throwIfFailed(String action, Duration timeout) {
            if (succeeded()) {
                return;
            }
            List<String> problems = new ArrayList<>();
            failures.forEach((id, error) -> problems.add("node " + id + ": " + error.getMessage()));
            unfinished.forEach(id -> problems.add("node " + id + ": not done within " + timeout));
            IllegalStateException error = new IllegalStateException(action + " failed: " + String.join("; ", problems));
            failures.values().forEach(error::addSuppressed);
            throw error;
        }
    }

    private Parallel() {
    }

    /**
     * Starts every task, then waits until all are done or {@code timeout} has passed.
     *
     * @param action a short verb for thread names and messages, e.g. "start"
     * @throws InterruptedException if interrupted while waiting; the tasks keep running
     */
    static Outcome run(String action, Map<Integer, Task> tasks, Duration timeout) throws InterruptedException {
        Map<Integer, CompletableFuture<Void>> futures = new TreeMap<>();
        tasks.forEach((id, task) -> {
            CompletableFuture<Void> future = new CompletableFuture<>();
            futures.put(id, future);
            Thread.ofPlatform()
                    .name("embedded-kafka-" + action + "-node-" + id)
                    .daemon(true)
                    .start(() -> {
                        try {
                            task.run();
                            future.complete(null);
                        } catch (Throwable t) {
                            future.completeExceptionally(t);
                        }
                    });
        });
        long deadline = System.nanoTime() + timeout.toNanos();
        SortedMap<Integer, Throwable> failures = new TreeMap<>();
        SortedSet<Integer> unfinished = new TreeSet<>();
        for (Map.Entry<Integer, CompletableFuture<Void>> entry : futures.entrySet()) {
            try {
                entry.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                failures.put(entry.getKey(), e.getCause());
            } catch (TimeoutException e) {
                unfinished.add(entry.getKey());
            }
        }
        return new Outcome(failures, unfinished);
    }
}
