package io.switchboard.chaos;

import io.switchboard.testkit.LoggedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Switchboard service running as a child JVM from its own main class and config file, with its output
 * in a log file. The child is destroyed when the test JVM exits, even if the test never closes it.
 */
final class ServiceProcess implements AutoCloseable {
    /**
     * Extra options of the chaos suite's child JVMs (services, Kafka brokers, load workers):
     * {@code -Dchaos.child-jvm-options}, default C1 only. On a small shared machine the processes' start, and every
     * restart in a drill, is mostly class loading and JIT compilation competing for the cores; without C2 a start
     * costs far less CPU, and the few hundred messages a second of a drill do not need C2's code. Only for the
     * suite ({@code ChaosSuiteTest}): with C1 only, the network fuzz test's gateway took minutes longer, and in the
     * TLS test a router missed its startup timeout reading the room log over TLS (AES-GCM without C2's intrinsics).
     */
    static final List<String> CHILD_JVM_OPTIONS = List.of(System.getProperty("chaos.child-jvm-options",
            "-XX:TieredStopAtLevel=1").trim().split("\\s+")).stream().filter(o -> !o.isEmpty()).toList();

    /** Asks a readiness endpoint over plain HTTP. */
    static final HttpClient PLAIN_HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final URI readiness;
    private final HttpClient http;
    private final LoggedProcess logged;
    private final Process process;

    private ServiceProcess(String name, URI readiness, HttpClient http, LoggedProcess logged) {
        this.name = name;
        this.readiness = readiness;
        this.http = http;
        this.logged = logged;
        this.process = logged.process();
    }

    /**
     * Starts {@code mainClass --config configFile} with the test JVM's classpath and {@code jvmOptions}; {@code http}
     * asks its readiness endpoint (for an {@code https://} one, a client that trusts the service's certificate
     * authority).
     */
    static ServiceProcess start(String name, String mainClass, Path configFile, URI readiness, HttpClient http,
                                Path directory, List<String> jvmOptions) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-XX:+UseSerialGC"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, mainClass, "--config", configFile.toString()));
        try {
            return new ServiceProcess(name, readiness, http,
                    LoggedProcess.start(name, command, directory.resolve(name + ".log")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** True when the service's readiness endpoint answers 200; fails fast if the process died. */
    boolean isReady() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log tail:\n" + logTail());
        }
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Its Prometheus page: {@code /metrics} beside its readiness endpoint (the metrics port, or the gateway's). */
    URI metrics() {
        return readiness.resolve("/metrics");
    }

    /** The last lines of the service's log, for failure messages. */
    String logTail() {
        return logged.logTail(40);
    }

    /** SIGTERM, wait for a graceful exit, then SIGKILL. */
    @Override
    public void close() {
        logged.stop(Duration.ofSeconds(20));
    }

    /** SIGSTOP: the process freezes (as in a long GC pause or a stalled VM) with its sockets open. */
    void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted signalling " + this.name, e);
        }
    }

    /** SIGKILL, as a crash would. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
