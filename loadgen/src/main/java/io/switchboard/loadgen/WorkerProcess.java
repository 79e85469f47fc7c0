package io.switchboard.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's handle on one {@link WorkerMain} child JVM: commands go to its stdin, events come back from its
 * stdout (read by a daemon thread), its stderr is passed through. Closing it asks the worker to close and exit,
 * then destroys it if it does not. Not thread-safe: one caller.
 */
final class WorkerProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode EOF = JSON.createObjectNode().put("event", "eof");

    private final Process process;
    private final PrintStream in;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();

    /** Reads events from an already started process (package-private for tests). */
    WorkerProcess(Process process) {
        this.process = process;
        this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = Thread.ofPlatform().daemon().name("loadgen-worker-" + process.pid()).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    JsonNode event = eventOrNull(line);
                    if (event == null) {
                        // Not one of ours (e.g. a library printing to the real stdout): show it, keep reading.
                        System.err.println("worker " + process.pid() + " printed: " + line);
                    } else {
                        events.add(event);
                    }
                }
            } catch (IOException e) {
                // the worker died; EOF below tells the waiting caller
            } finally {
                events.add(EOF);
            }
        });
        reader.setUncaughtExceptionHandler((t, e) -> events.add(EOF));
    }

    private static JsonNode eventOrNull(String line) {
        if (!line.startsWith("{")) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(line);
            return node.hasNonNull("event") ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Starts a worker JVM with the coordinator's java and class path. */
    static WorkerProcess start(List<String> jvmOptions, int ioThreads) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        command.add(java);
        // stdout carries the events; the JVM's own warnings (unified logging writes them to stdout by default)
        // must not land between them. Options given by the user come after and may set other outputs.
        command.add("-Xlog:disable");
        command.add("-Xlog:all=warning:stderr:uptime,level,tags");
        command.addAll(jvmOptions);
        if (Runtime.version().feature() >= 24) {
            // protobuf still touches sun.misc.Unsafe; JDK 24+ warns unless allowed (the flag is unknown before 24).
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WorkerMain.class.getName());
        command.add(Integer.toString(ioThreads));
        try {
            return new WorkerProcess(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a worker: " + command, e);
        }
    }

    long pid() {
        return process.pid();
    }

    void send(ObjectNode command) {
        in.println(command.toString());
    }

    /** The body of the next event, which must be {@code event}; fails after {@code timeout} or if the worker died. */
    JsonNode await(String event, Duration timeout) {
        JsonNode next;
        try {
            next = events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for worker " + pid(), e);
        }
        if (next == null) {
            throw new IllegalStateException("worker " + pid() + " sent no " + event + " within " + timeout);
        }
        if (next == EOF) {
            throw new IllegalStateException("worker " + pid() + " ended before it sent " + event + exitDescription()
                    + " (its stderr is above)");
        }
        if (!event.equals(next.get("event").asText())) {
            throw new IllegalStateException("worker " + pid() + " sent " + next.get("event") + " (expected: " + event + ")");
        }
        return next.get("body");
    }

    private String exitDescription() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? " (exit code " + process.exitValue() + ")" : " (still running)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            send(JSON.createObjectNode().put("op", "close"));
            in.close();
            ChildProcesses.awaitExitOrKill(process, Duration.ofSeconds(15));
        }
    }
}
