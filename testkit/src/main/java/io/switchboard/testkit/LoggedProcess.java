package io.switchboard.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child process of the test JVM with its output (stdout and stderr) in one log file: it is killed when the
 * test JVM exits even if no test closes it, its log tail goes into failure messages, and {@link #stop} asks it
 * to exit before forcing it. Used for HAProxy, nginx and the services of the chaos tests. Not thread-safe.
 */
public final class LoggedProcess {
    /** How long a process killed with SIGKILL is still waited for. */
    private static final Duration AFTER_KILL_WAIT = Duration.ofSeconds(10);

    private final Process process;
    private final Path log;

    private LoggedProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} with its output in {@code log}; {@code name} names the JVM-exit hook's thread. */
    public static LoggedProcess start(String name, List<String> command, Path log) throws IOException {
        return start(name, new ProcessBuilder(command), log);
    }

    /** Starts {@code builder}'s command (with its environment and directory) with its output in {@code log}. */
    public static LoggedProcess start(String name, ProcessBuilder builder, Path log) throws IOException {
        Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "kill-" + name));
        return new LoggedProcess(process, log);
    }

    public Process process() {
        return process;
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Whether the process accepts TCP connections on loopback {@code port} yet (an Awaitility condition while it
     * starts); throws, with the log's tail, once the process has exited.
     */
    public boolean acceptsOn(int port) {
        if (!process.isAlive()) {
            throw new IllegalStateException("the process exited with " + process.exitValue() + ": " + logTail(30));
        }
        try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return probe.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, up to {@code grace} for a graceful exit, then SIGKILL. Keeps the interrupt flag. */
    public void stop(Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(AFTER_KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
