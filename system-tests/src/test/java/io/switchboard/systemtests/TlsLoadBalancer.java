package io.switchboard.systemtests;

import static org.awaitility.Awaitility.await;

import io.switchboard.devcerts.PemFiles;
import io.switchboard.service.LoopbackPorts;
import io.switchboard.testkit.Haproxy;
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
import java.util.function.Supplier;

/**
 * A real HAProxy or nginx (the Debian packages) terminating {@code wss://} in front of two gateways, run from the
 * repository's own configs ({@code deploy/haproxy/haproxy.cfg} as is, with its environment variables;
 * {@code deploy/nginx/nginx-tls.conf} copied with the addresses of this test's gateways), optionally re-encrypting to
 * gateways that serve TLS themselves. HAProxy is the test kit's {@link Haproxy}. Not thread-safe.
 */
final class TlsLoadBalancer implements AutoCloseable {
    static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    private static final Path NGINX = Path.of("/usr/sbin/nginx");

    private final Runnable stop;
    private final Supplier<String> logTail;
    private final int port;

    private TlsLoadBalancer(Runnable stop, Supplier<String> logTail, int port) {
        this.stop = stop;
        this.logTail = logTail;
        this.port = port;
    }

    /**
     * HAProxy with {@code SB_LB_TLS_PEM} (the chain and key of {@code frontend}) and, when {@code gatewayCa} is
     * given, {@code SB_GATEWAY_CA} (re-encryption).
     */
    static TlsLoadBalancer haproxy(List<Integer> gateways, PemFiles frontend, Path gatewayCa, Path dir) {
        try {
            Path pem = dir.resolve("haproxy-frontend.pem");
            Files.writeString(pem, Files.readString(frontend.certificateChain()) + Files.readString(frontend.privateKey()));
            Map<String, String> env = Haproxy.gateways(gateways.get(0), gateways.get(1));
            env.put("SB_LB_TLS_PEM", pem.toString());
            if (gatewayCa != null) {
                env.put("SB_GATEWAY_CA", gatewayCa.toString());
            }
            Haproxy haproxy = Haproxy.start(Haproxy.DEPLOY_CONFIG, env, dir);
            return new TlsLoadBalancer(haproxy::close, haproxy::logTail, haproxy.port());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write haproxy's certificate", e);
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
            return nginxStarted(LoggedProcess.start("nginx", builder, dir.resolve("nginx.log")), port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start nginx", e);
        }
    }

    private static TlsLoadBalancer nginxStarted(LoggedProcess process, int port) {
        TlsLoadBalancer balancer = new TlsLoadBalancer(() -> process.stop(Duration.ofSeconds(10)),
                () -> process.logTail(30), port);
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
        return logTail.get();
    }

    @Override
    public void close() {
        stop.run();
    }
}
