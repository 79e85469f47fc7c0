package io.switchboard.loadgen;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server under test started as its own process for {@code load compare}: its output goes to a log file and is
 * scanned for the WebSocket URLs it announces (by default every {@code ws://127.0.0.1:PORT/ws} of any line; the
 * platform's are read from its start-up line only, see {@link PlatformOptions}); it is ready once it announced
 * {@code expectedUrls} of them. Closing it sends SIGTERM, then SIGKILL after 30 s; a server not closed when the
 * generator stops (Ctrl-C, SIGTERM) is stopped the same way, with 10 s of grace. Not thread-safe.
 */
final class ServerProcess implements AutoCloseable {
    /** A loopback WebSocket URL as the servers under test announce it. */
    static final Pattern URL = Pattern.compile("ws://127\\.0\\.0\\.1:\\d+/ws");
    /** Every URL of every line counts: a baseline prints its one URL once it listens. */
    static final Function<String, List<URI>> ANY_URL = line -> {
        List<URI> found = new ArrayList<>(1);
        Matcher m = URL.matcher(line);
        while (m.find()) {
            found.add(URI.create(m.group()));
        }
        return found;
    };

    /** How long a server gets to stop when the generator itself is stopped (Ctrl-C, SIGTERM) before it is killed. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    /** Lines of a server's output quoted when it exits before it is ready. */
    private static final int LAST_LINES = 8;
    /** Lines quoted when a run against it fails: enough for a stack trace's head (the exception is at its top). */
    private static final int FAILURE_LINES = 40;

    private final String name;
    private final Process process;
    private final Path log;
    // Stops the server when the generator is stopped before it closed it: a platform left running holds its ports,
    // its Kafka data and a core, and would be measured with the next target.
    private final Thread onExit;
    private final List<URI> urls = new ArrayList<>();
    private final CompletableFuture<List<URI>> ready = new CompletableFuture<>();
    // guarded by itself: the pump thread adds, any thread may quote
    private final Deque<String> last = new ArrayDeque<>();

    private ServerProcess(String name, Process process, Path log, int expectedUrls,
                          Function<String, List<URI>> announced) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.onExit = Thread.ofPlatform().name("loadgen-stop-" + name).unstarted(() -> close(SHUTDOWN_GRACE));
        Runtime.getRuntime().addShutdownHook(onExit);
        Thread.ofPlatform().daemon().name("loadgen-server-" + name).start(() -> pump(expectedUrls, announced));
    }

    /** Starts {@code command} in {@code directory}; its output goes to {@code log}; any URL it prints counts. */
    static ServerProcess start(String name, List<String> command, Path directory, Path log, int expectedUrls) {
        return start(name, command, directory, log, expectedUrls, ANY_URL);
    }

    /**
     * Starts {@code command} in {@code directory}; its output goes to {@code log}; {@code announced} reads the URLs a
     * line announces (none for most lines).
     */
    static ServerProcess start(String name, List<String> command, Path directory, Path log, int expectedUrls,
                               Function<String, List<URI>> announced) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process p = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
            return new ServerProcess(name, p, log, expectedUrls, announced);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** Waits until the server announced its URLs. */
    List<URI> awaitUrls(Duration timeout) {
        try {
            return ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + " did not start: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " announced no WebSocket URL within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + name, e);
        }
    }

    long pid() {
        return process.pid();
    }

    /**
     * {@code cause}, a run against this server that failed, with the server's last lines of output: a client's
     * "HTTP 500" says nothing of why; the server's log usually does (the log file may be gone with a test's folder).
     */
    IllegalStateException failure(RuntimeException cause) {
        return new IllegalStateException(cause.getMessage() + "\n" + name + "'s last lines (" + log + "):\n"
                + lastLines(FAILURE_LINES), cause);
    }

    /** The server's last {@code n} lines of output so far (at most {@value #FAILURE_LINES}), indented. */
    String lastLines(int n) {
        synchronized (last) {
            List<String> lines = List.copyOf(last);
            return lines.isEmpty() ? "  (none)"
                    : "  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    private void pump(int expectedUrls, Function<String, List<URI>> announced) {
        // The last lines go into the failure of a server that exits before it is ready, or of a run against it that
        // fails (a baseline answering an upgrade with HTTP 500): usually they say why.
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintStream out = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                out.println(line);
                synchronized (last) {
                    if (last.size() == FAILURE_LINES) {
                        last.removeFirst();
                    }
                    last.addLast(line);
                }
                if (!ready.isDone()) {
                    for (URI u : announced.apply(line)) {
                        if (!urls.contains(u)) {
                            urls.add(u);
                        }
                    }
                    if (urls.size() >= expectedUrls) {
                        ready.complete(List.copyOf(urls));
                    }
                }
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        } finally {
            if (!ready.isDone()) {
                ready.completeExceptionally(new IllegalStateException(name + " exited" + exitCode() + "; see " + log
                        + "; its last lines:\n" + lastLines(LAST_LINES)));
            }
        }
    }

    /** " with N" once the process has exited (it may still be closing its streams), else nothing. */
    private String exitCode() {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? " with " + process.exitValue() : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** A port in 20000-29999 that is free now. */
    static int freePort() {
        for (int i = 0; i < 100; i++) {
            int port = 20_000 + ThreadLocalRandom.current().nextInt(10_000);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free port in 20000-29999");
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /** Sends SIGTERM, then SIGKILL when it has not exited within {@code grace}. */
    void close(Duration grace) {
        process.destroy();
        ChildProcesses.awaitExitOrKill(process, grace);
        if (Thread.currentThread() != onExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // The generator is shutting down already: the hook finds the server gone.
            }
        }
    }
}
