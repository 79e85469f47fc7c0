package io.switchboard.launcher;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import io.switchboard.service.LoopbackPorts;
import io.switchboard.testkit.LoggedProcess;
import io.switchboard.testkit.RequiredTool;

/**
 * A network that refuses WebSocket upgrades, as some corporate proxies do: the real HAProxy (Debian package) running
 * {@code deploy/haproxy/haproxy.cfg} with one rule added to its front end, which answers every upgrade request 403.
 * Everything else takes the file's own routes, the HTTP fallback's by client address. Both of the file's gateways
 * are one gateway here, so the page, its token endpoint and the fallback all reach the gateway that serves the demo
 * page. Skipped (failed in CI) without HAProxy. Not thread-safe.
 */
final class UpgradeRefusingProxy implements AutoCloseable {
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final Path CONFIG = Path.of("..", "deploy", "haproxy", "haproxy.cfg").toAbsolutePath().normalize();
    private static final String FRONT_END = "frontend switchboard\n";
    static final String REFUSAL = "    http-request deny deny_status 403 if { hdr(upgrade) -i websocket }\n";

    private final LoggedProcess process;
    private final int port;

    private UpgradeRefusingProxy(LoggedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts HAProxy in front of the gateway on {@code gatewayPort}, with its files and log in {@code dir}. */
    static UpgradeRefusingProxy start(int gatewayPort, Path dir) {
        RequiredTool.executable(HAPROXY, "apt-get install haproxy; .ci/run installs it");
        int port = LoopbackPorts.pick();
        try {
            String config = Files.readString(CONFIG);
            if (!config.contains(FRONT_END)) {
                throw new IllegalStateException(CONFIG + " no longer has '" + FRONT_END.strip() + "'");
            }
            Path file = dir.resolve("haproxy-refusing-upgrades.cfg");
            Files.writeString(file, config.replace(FRONT_END, FRONT_END + REFUSAL));
            ProcessBuilder builder = new ProcessBuilder(HAPROXY.toString(), "-db", "-f", file.toString());
            Map<String, String> env = builder.environment();
            env.put("SB_LB_BIND", "127.0.0.1");
            env.put("SB_LB_PORT", Integer.toString(port));
            env.put("SB_LB_STATS_PORT", Integer.toString(LoopbackPorts.pick()));
            env.put("SB_GATEWAY_1", "127.0.0.1:" + gatewayPort);
            env.put("SB_GATEWAY_2", "127.0.0.1:" + gatewayPort);
            UpgradeRefusingProxy proxy = new UpgradeRefusingProxy(
                    LoggedProcess.start("haproxy", builder, dir.resolve("haproxy.log")), port);
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> proxy.process.acceptsOn(port));
                return proxy;
            } catch (RuntimeException | Error e) {
                proxy.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start haproxy", e);
        }
    }

    /** The proxy's base URL, {@code http://127.0.0.1:<port>/}. */
    URI baseUri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    String logTail() {
        return process.logTail(40);
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }
}
