package io.switchboard.testkit;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An application's auth server as far as key distribution goes: serves a JWK Set at {@code /jwks.json} on a free
 * loopback port (JDK HTTP server), with keys that can be swapped (rotation) or an outage switched on (every
 * request answered 503). Counts requests. Thread-safe; close it.
 */
public final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicReference<String> body = new AtomicReference<>("{\"keys\":[]}");
    private final AtomicReference<Boolean> down = new AtomicReference<>(false);
    private final AtomicInteger requests = new AtomicInteger();

    private JwksServer(HttpServer server) {
        this.server = server;
    }

    /** Starts a server publishing {@code keys}. */
    public static JwksServer start(List<JWK> keys) {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            JwksServer jwks = new JwksServer(http);
            jwks.publish(keys);
            http.createContext("/jwks.json", exchange -> {
                jwks.requests.incrementAndGet();
                byte[] bytes = jwks.body.get().getBytes(StandardCharsets.UTF_8);
                int status = jwks.down.get() ? 503 : 200;
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, status == 200 ? bytes.length : -1);
                if (status == 200) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                }
                exchange.close();
            });
            http.start();
            return jwks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes {@code keys} (public parts only) from the next request on. */
    public void publish(List<JWK> keys) {
        body.set(new JWKSet(keys).toPublicJWKSet().toString());
    }

    /** While true, every request is answered 503. */
    public void down(boolean outage) {
        down.set(outage);
    }

    /** Requests served so far. */
    public int requests() {
        return requests.get();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
