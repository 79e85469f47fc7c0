package io.switchboard.testkit;

import static org.awaitility.Awaitility.await;

import io.switchboard.service.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real HAProxy (the Debian package) run in the foreground from a config file that reads
 * {@code deploy/haproxy/haproxy.cfg}'s listen variables: it binds 127.0.0.1 on a free port ({@code SB_LB_BIND},
 * {@code SB_LB_PORT}) with its stats on another ({@code SB_LB_STATS_PORT}); the caller's environment adds the rest
 * (the gateways, TLS). {@link #start} returns once HAProxy accepts connections, and stops it again when it does
 * not; its output is one log file whose tail goes into failure messages. Without HAProxy the test is skipped, or
 * fails in CI ({@link RequiredTool}). Not thread-safe.
 */
public final class Haproxy implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/sbin/haproxy");
    /** The repository's own config, as operators run it; tests run in their module's directory. */
    public static final Path DEPLOY_CONFIG = Path.of("..", "deploy", "haproxy", "haproxy.cfg").toAbsolutePath()
            .normalize();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;

    private final LoggedProcess process;
    private final int port;

    private Haproxy(LoggedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts {@code haproxy -db -f config} with {@code environment} added to the listen variables, its output in
     * {@code dir/haproxy.log}, and waits until it accepts on its port.
     *
     * @throws IllegalStateException when HAProxy exits or does not accept within 30 s (with its log's tail)
     */
    public static Haproxy start(Path config, Map<String, String> environment, Path dir) {
        RequiredTool.executable(BINARY, "apt-get install haproxy; .ci/run installs it");
        int port = LoopbackPorts.pick();
        ProcessBuilder builder = new ProcessBuilder(BINARY.toString(), "-db", "-f", config.toString());
        Map<String, String> env = builder.environment();
        env.put("SB_LB_BIND", "127.0.0.1");
        env.put("SB_LB_PORT", Integer.toString(port));
        env.put("SB_LB_STATS_PORT", Integer.toString(LoopbackPorts.pick()));
        env.putAll(environment);
        Haproxy haproxy;
        try {
            haproxy = new Haproxy(LoggedProcess.start("haproxy", builder, dir.resolve("haproxy.log")), port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + BINARY, e);
        }
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> haproxy.process.acceptsOn(port));
            return haproxy;
        } catch (ConditionTimeoutException e) {
            haproxy.close();
            throw new IllegalStateException("haproxy did not accept on port " + port + " within " + START_TIMEOUT
                    + "; its log:\n" + haproxy.logTail(), e);
        } catch (RuntimeException | Error e) {
            haproxy.close();
            throw e;
        }
    }

    /**
     * The environment naming two gateways of {@code deploy/haproxy/haproxy.cfg} ({@code SB_GATEWAY_1},
     * {@code SB_GATEWAY_2}) on loopback, to which a caller may add more.
     */
    public static Map<String, String> gateways(int first, int second) {
        Map<String, String> env = new HashMap<>();
        env.put("SB_GATEWAY_1", "127.0.0.1:" + first);
        env.put("SB_GATEWAY_2", "127.0.0.1:" + second);
        return env;
    }

    /** The port clients connect to, on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The last lines of HAProxy's log, for failure messages. */
    public String logTail() {
        return process.logTail(LOG_TAIL_LINES);
    }

    /** Asks HAProxy to stop, then forces it. */
    @Override
    public void close() {
        process.stop(STOP_GRACE);
    }
}
