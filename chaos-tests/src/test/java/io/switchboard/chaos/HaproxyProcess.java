package io.switchboard.chaos;

import io.switchboard.testkit.Haproxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real HAProxy (the Debian package) in front of the gateways, as operators run it: round robin without sticky
 * sessions, WebSocket upgrades passed through, each gateway health-checked on its readiness endpoint so a
 * draining or dead gateway gets no new connections, and a connection refused by one gateway redispatched to
 * another. With {@link Tls}, as deploy/haproxy/haproxy.cfg does with {@code SB_LB_TLS_PEM} and
 * {@code SB_GATEWAY_CA}: clients speak {@code wss://} to HAProxy, which terminates it and re-encrypts to the gateways
 * (their {@code wss://} port), checking each gateway's certificate against the cluster's CA. Started by the test
 * kit's {@link Haproxy}. Not thread-safe.
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

    private final Haproxy haproxy;

    private HaproxyProcess(Haproxy haproxy) {
        this.haproxy = haproxy;
    }

    /** Writes a config for {@code gatewayPorts} (with TLS when {@code tls} is present) and starts HAProxy on it. */
    static HaproxyProcess start(List<Integer> gatewayPorts, Path directory, Optional<Tls> tls) {
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < gatewayPorts.size(); i++) {
            servers.append("  server gateway-").append(i + 1).append(" 127.0.0.1:").append(gatewayPorts.get(i)).append(" check\n");
        }
        // The listen address comes from the environment Haproxy sets (a free port), as in deploy/haproxy/haproxy.cfg.
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
                  bind "${SB_LB_BIND}:${SB_LB_PORT}"%s
                  default_backend gateways
                backend gateways
                  balance roundrobin
                  option httpchk
                  http-check send meth GET uri /observe/health/ready ver HTTP/1.1 hdr Host localhost
                  http-check expect status 200
                  default-server inter 300ms fall 2 rise 2%s
                %s""".formatted(
                tls.map(t -> " ssl crt \"" + t.certificateAndKey() + "\" alpn http/1.1").orElse(""),
                tls.map(t -> " ssl verify required ca-file \"" + t.gatewayCa()
                        + "\" sni str(localhost) verifyhost localhost alpn http/1.1").orElse(""),
                servers);
        Path file = directory.resolve("haproxy.cfg");
        try {
            Files.writeString(file, config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return new HaproxyProcess(Haproxy.start(file, Map.of(), directory));
    }

    int port() {
        return haproxy.port();
    }

    String logTail() {
        return haproxy.logTail();
    }

    @Override
    public void close() {
        haproxy.close();
    }
}
