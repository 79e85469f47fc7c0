package io.switchboard.chaos;

import io.switchboard.testkit.LoggedProcess;
import static org.awaitility.Awaitility.await;

import io.switchboard.service.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy (the Debian package) in front of the gateways, as operators run it: round robin without sticky
 * sessions, WebSocket upgrades passed through, each gateway health-checked on its readiness endpoint so a
 * draining or dead gateway gets no new connections, and a connection refused by one gateway redispatched to
 * another. With {@link Tls}, as deploy/haproxy/haproxy.cfg does with {@code SB_LB_TLS_PEM} and
 * {@code SB_GATEWAY_CA}: clients speak {@code wss://} to HAProxy, which terminates it and re-encrypts to the gateways
 * (their {@code wss://} port), checking each gateway's certificate against the cluster's CA. Not thread-safe.
 */
final class HaproxyProcess implements AutoCloseable {
    /**
     * TLS on both of HAProxy's hops.
     *
     * @param certificateAndKey the front end's certificate chain and its private key in one PEM file
     * @param gatewayCa         the CA the gateways' certificates are checked against (name {@code localhost})
     */
    record Tls(Path certificateAndKey, Path gatewayCa) {
    }

    static final String BINARY = "/usr/sbin/haproxy";
    static final Path BINARY_PATH = Path.of(BINARY);

    private final LoggedProcess process;
    private final int port;

    private HaproxyProcess(LoggedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Writes a config for {@code gatewayPorts} (with TLS when {@code tls} is present), validates it with
     * {@code haproxy -c}, starts HAProxy, and waits for its port.
     */
    static HaproxyProcess start(List<Integer> gatewayPorts, Path directory, Optional<Tls> tls) {
        if (!Files.isExecutable(BINARY_PATH)) {
            throw new IllegalStateException(BINARY + " is missing: install the Debian package haproxy (.ci/run does)");
        }
        int port = LoopbackPorts.pick();
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < gatewayPorts.size(); i++) {
            servers.append("  server gateway-").append(i + 1).append(" 127.0.0.1:").append(gatewayPorts.get(i)).append(" check\n");
        }
        String config = """
                global
                  maxconn 4000
                defaults
                  mode http
                  timeout connect 2s
                  timeout client 60s
                  timeout server 60s
                  timeout tunnel 1h
                  retries 3
                  option redispatch
                frontend websockets
                  bind 127.0.0.1:%d%s
                  default_backend gateways
                backend gateways
                  balance roundrobin
                  option httpchk
                  http-check send meth GET uri /observe/health/ready ver HTTP/1.1 hdr Host localhost
                  http-check expect status 200
                  default-server inter 300ms fall 2 rise 2%s
                %s""".formatted(port,
                tls.map(t -> " ssl crt \"" + t.certificateAndKey() + "\" alpn http/1.1").orElse(""),
                tls.map(t -> " ssl verify required ca-file \"" + t.gatewayCa()
                        + "\" sni str(localhost) verifyhost localhost alpn http/1.1").orElse(""),
                servers);
        Path file = directory.resolve("haproxy.cfg");
        Path log = directory.resolve("haproxy.log");
        try {
            Files.writeString(file, config);
            Process check = new ProcessBuilder(BINARY, "-c", "-f", file.toString()).redirectErrorStream(true)
                    .redirectOutput(directory.resolve("haproxy-check.log").toFile()).start();
            if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
                throw new IllegalStateException("haproxy -c rejected " + file + ": "
                        + Files.readString(directory.resolve("haproxy-check.log")));
            }
            HaproxyProcess haproxy = new HaproxyProcess(
                    LoggedProcess.start("haproxy", List.of(BINARY, "-db", "-f", file.toString()), log), port);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> haproxy.process.acceptsOn(port));
            return haproxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start haproxy", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting haproxy", e);
        }
    }

    int port() {
        return port;
    }

    String logTail() {
        return process.logTail(20);
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }
}
