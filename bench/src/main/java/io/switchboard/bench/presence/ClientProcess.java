package io.switchboard.bench.presence;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The parent's handle on one {@link PresenceClients} child JVM: started with this JVM's {@code java.home} and
 * class path, its stdout read line by line on a named daemon thread into a queue, so that every wait here has a
 * deadline. The child is destroyed by {@link #close()} and, should this JVM exit first, by a shutdown hook; it
 * also exits by itself when its stdin closes. Not thread-safe: one thread drives it.
 */
final class ClientProcess implements AutoCloseable {
    // The client end of a WebSocket is ~75 KiB of heap (~600 MiB for 8,000) plus collector headroom; ZGC keeps
    // pauses out of the observed times.
    private static final List<String> JVM_OPTIONS = List.of("-XX:+UseZGC", "-Xmx1536m",
            "--enable-native-access=ALL-UNNAMED");
    private static final Duration EXIT_WAIT = Duration.ofSeconds(30);
    // Marks the end of the child's stdout in the queue; no protocol line is empty.
    private static final String EOF = "";

    private final String name;
    private final Process process;
    private final PrintWriter commands;
    // The child may write one line per client before the parent reads them: unbounded, but at most share + 4 lines.
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread shutdownHook;

    private ClientProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.commands = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
                true);
        this.shutdownHook = Thread.ofPlatform().name(name + "-destroy").unstarted(process::destroyForcibly);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        Thread.ofPlatform().name(name + "-stdout").daemon().start(this::readLines);
    }

    /** Starts a child for {@code share}; its stderr goes to this JVM's stderr. */
    static ClientProcess start(String name, ClientShare share) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        if (Runtime.version().feature() >= 24) {
            // protobuf still touches sun.misc.Unsafe; JDK 24+ warns unless allowed (the flag is unknown before 24).
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-cp");
        command.add(absoluteClassPath());
        command.add(PresenceClients.class.getName());
        command.addAll(share.toArgs());
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new ClientProcess(name, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** This JVM's class path with absolute entries, so the child does not depend on the working directory. */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    String name() {
        return name;
    }

    void send(String command) {
        commands.println(command);
        if (commands.checkError()) {
            throw new IllegalStateException(name + ": cannot send " + command + " (exited: " + exitState() + ")");
        }
    }

    /** The next line, which must start with one of {@code kinds}; fails on FAILED, the end of stdout or timeout. */
    String await(Duration timeout, String... kinds) {
        String line = next(timeout, String.join("|", kinds));
        for (String kind : kinds) {
            if (line.equals(kind) || line.startsWith(kind + " ")) {
                return line;
            }
        }
        throw new IllegalStateException(name + " said " + line + " (expected: " + String.join("|", kinds) + ")");
    }

    /** The fields after the kind of a line from {@link #await}. */
    static String[] fields(String line) {
        String[] all = line.split(" ");
        return Arrays.copyOfRange(all, 1, all.length);
    }

    /** Every CLIENT line up to DONE, all within {@code timeout}. */
    List<ClientReport> awaitReports(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ClientReport> reports = new ArrayList<>();
        while (true) {
            String line = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), PresenceClients.DONE);
            if (line.equals(PresenceClients.DONE)) {
                return reports;
            }
            reports.add(ClientReport.parse(line));
        }
    }

    private String next(Duration timeout, String waitingFor) {
        String line;
        try {
            line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while waiting for " + waitingFor, e);
        }
        if (line == null) {
            throw new IllegalStateException(name + ": no " + waitingFor + " within " + timeout);
        }
        if (line.equals(EOF)) {
            throw new IllegalStateException(name + ": stdout closed while waiting for " + waitingFor + " (exited: "
                    + exitState() + ")");
        }
        if (line.startsWith(PresenceClients.FAILED)) {
            throw new IllegalStateException(name + " failed: " + line.substring(PresenceClients.FAILED.length()).strip());
        }
        return line;
    }

    private String exitState() {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? "code " + process.exitValue() : "not yet";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }

    /** On the stdout thread. */
    private void readLines() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    lines.add(line.strip());
                }
            }
        } catch (IOException e) {
            System.err.println(name + ": reading stdout failed: " + e);
        } finally {
            lines.add(EOF);
        }
    }

    /** Asks the child to exit, waits up to {@link #EXIT_WAIT}, then destroys it; safe to call more than once. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                commands.println(PresenceClients.EXIT);
                commands.close(); // the child exits on the end of stdin too
                if (!process.waitFor(EXIT_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
                    System.err.println(name + ": still running " + EXIT_WAIT + " after EXIT, destroying it");
                    process.destroyForcibly().waitFor(EXIT_WAIT.toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // This JVM is shutting down: the hook runs anyway and destroys an exited process, a no-op.
            }
        }
    }
}
