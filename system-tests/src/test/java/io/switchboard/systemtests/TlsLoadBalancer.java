package io.switchboard.systemtests;

import static org.awaitility.Awaitility.await;

import io.switchboard.devcerts.PemFiles;
import io.switchboard.service.LoopbackPorts;
import io.switchboard.testkit.LoggedProcess;
import io.switchboard.testkit.RequiredTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real HAProxy or nginx (the Debian packages) terminating {@code wss://} in front of two gateways, run from the
 * repository's own configs ({@code deploy/haproxy/haproxy.cfg} as is, with its environment variables;
 * {@code deploy/nginx/nginx-tls.conf} copied with the addresses of this test's gateways), optionally re-encrypting to
 * gateways that serve TLS themselves. Not thread-safe.
 */
final class TlsLoadBalancer implements AutoCloseable {
    static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
    private static final Path NGINX = Path.of("/usr/sbin/nginx");

    private final LoggedProcess process;
    private final int port;

    private TlsLoadBalancer(LoggedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * HAProxy with {@code SB_LB_TLS_PEM} (the chain and key of {@code frontend}) and, when {@code gatewayCa} is
     * given, {@code SB_GATEWAY_CA} (re-encryption).
     */
    static TlsLoadBalancer haproxy(List<Integer> gateways, PemFiles frontend, Path gatewayCa, Path dir) {
        RequiredTool.executable(HAPROXY, "apt-get install haproxy; .ci/run installs it");
        int port = LoopbackPorts.pick();
        try {
            Path pem = dir.resolve("haproxy-frontend.pem");
            Files.writeString(pem, Files.readString(frontend.certificateChain()) + Files.readString(frontend.privateKey()));
            ProcessBuilder builder = new ProcessBuilder(HAPROXY.toString(), "-db", "-f",
                    DEPLOY.resolve("haproxy/haproxy.cfg").toString());
            Map<String, String> env = builder.environment();
            env.put("SB_LB_BIND", "127.0.0.1");
            env.put("SB_LB_PORT", Integer.toString(port));
            env.put("SB_LB_STATS_PORT", Integer.toString(LoopbackPorts.pick()));
            env.put("SB_GATEWAY_1", "127.0.0.1:" + gateways.get(0));
            env.put("SB_GATEWAY_2", "127.0.0.1:" + gateways.get(1));
            env.put("SB_LB_TLS_PEM", pem.toString());
            if (gatewayCa != null) {
                env.put("SB_GATEWAY_CA", gatewayCa.toString());
            }
            return started(LoggedProcess.start("haproxy", builder, dir.resolve("haproxy.log")), port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start haproxy", e);
        }
    }

    /**
     * nginx from a copy of {@code deploy/nginx/} whose {@code nginx-tls.conf} listens on a free port and lists
     * {@code gateways}; with {@code gatewayCa}, its gateway hop is switched to TLS.
     */
    static TlsLoadBalancer nginx(List<Integer> gateways, PemFiles frontend, Path gatewayCa, Path dir) {
        RequiredTool.executable(NGINX, "apt-get install nginx; .ci/run installs it");
        int port = LoopbackPorts.pick();
        try {
            Path conf = Files.createDirectories(dir.resolve("nginx"));
            Path tls = Files.createDirectories(conf.resolve("tls"));
            try (var files = Files.list(DEPLOY.resolve("nginx"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".conf")).toList()) {
                    Files.copy(file, conf.resolve(file.getFileName()));
                }
            }
            Files.copy(frontend.certificateChain(), tls.resolve("switchboard.crt"));
            Files.copy(frontend.privateKey(), tls.resolve("switchboard.key"));
            String config = Files.readString(conf.resolve("nginx-tls.conf"));
            List<String[]> edits = new ArrayList<>(List.of(
                    new String[] {"listen 127.0.0.1:18011 ssl;", "listen 127.0.0.1:" + port + " ssl;"},
                    new String[] {"server 127.0.0.1:18101 ", "server 127.0.0.1:" + gateways.get(0) + " "},
                    new String[] {"server 127.0.0.1:18102 ", "server 127.0.0.1:" + gateways.get(1) + " "}));
            if (gatewayCa != null) {
                Files.copy(gatewayCa, tls.resolve("gateway-ca.crt"));
                edits.add(new String[] {"include switchboard-hop-plain.conf;", "include switchboard-hop-tls.conf;"});
            }
            for (String[] edit : edits) {
                if (!config.contains(edit[0])) {
                    throw new IllegalStateException("deploy/nginx/nginx-tls.conf no longer contains '" + edit[0] + "'");
                }
                config = config.replace(edit[0], edit[1]);
            }
            Files.writeString(conf.resolve("nginx-tls.conf"), config);
            ProcessBuilder builder = new ProcessBuilder(NGINX.toString(), "-p", conf + "/", "-c",
                    conf.resolve("nginx-tls.conf").toString(), "-g", "daemon off;");
            return started(LoggedProcess.start("nginx", builder, dir.resolve("nginx.log")), port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start nginx", e);
        }
    }

    private static TlsLoadBalancer started(LoggedProcess process, int port) {
        TlsLoadBalancer balancer = new TlsLoadBalancer(process, port);
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> process.acceptsOn(port));
            return balancer;
        } catch (RuntimeException | Error e) {
            balancer.close();
            throw e;
        }
    }

    /** Where clients connect. */
    URI webSocketUri() {
        return URI.create("wss://127.0.0.1:" + port + "/ws");
    }

    String logTail() {
        return process.logTail(30);
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }
}
