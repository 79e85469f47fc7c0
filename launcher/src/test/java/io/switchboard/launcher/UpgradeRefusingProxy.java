package io.switchboard.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import io.switchboard.testkit.Haproxy;

/**
 * A network that refuses WebSocket upgrades, as some corporate proxies do: the real HAProxy (the test kit's
 * {@link Haproxy}) running {@code deploy/haproxy/haproxy.cfg} with one rule added to its front end, which answers
 * every upgrade request 403. Everything else takes the file's own routes, the HTTP fallback's by client address.
 * Both of the file's gateways are one gateway here, so the page, its token endpoint and the fallback all reach the
 * gateway that serves the demo page. Skipped (failed in CI) without HAProxy. Not thread-safe.
 */
final class UpgradeRefusingProxy implements AutoCloseable {
    private static final String FRONT_END = "frontend switchboard\n";
    private static final String REFUSAL = "    http-request deny deny_status 403 if { hdr(upgrade) -i websocket }\n";

    private final Haproxy haproxy;

    private UpgradeRefusingProxy(Haproxy haproxy) {
        this.haproxy = haproxy;
    }

    /** Starts HAProxy in front of the gateway on {@code gatewayPort}, with its files and log in {@code dir}. */
    static UpgradeRefusingProxy start(int gatewayPort, Path dir) {
        Path file = dir.resolve("haproxy-refusing-upgrades.cfg");
        try {
            String config = Files.readString(Haproxy.DEPLOY_CONFIG);
            if (!config.contains(FRONT_END)) {
                throw new IllegalStateException(Haproxy.DEPLOY_CONFIG + " no longer has '" + FRONT_END.strip() + "'");
            }
            Files.writeString(file, config.replace(FRONT_END, FRONT_END + REFUSAL));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return new UpgradeRefusingProxy(Haproxy.start(file, Haproxy.gateways(gatewayPort, gatewayPort), dir));
    }

    /** The proxy's base URL, {@code http://127.0.0.1:<port>/}. */
    URI baseUri() {
        return URI.create("http://127.0.0.1:" + haproxy.port() + "/");
    }

    String logTail() {
        return haproxy.logTail();
    }

    @Override
    public void close() {
        haproxy.close();
    }
}
