package io.switchboard.service;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * A service's small HTTP side: {@code /metrics} (Prometheus text format, from the given registry),
 * {@code /health/live} (200 while the process runs) and {@code /health/ready} (200 while the service serves
 * and is not draining, else 503). Thread-safe; started once, closed once.
 */
public final class HttpEndpoints implements AutoCloseable {
    private final HTTPServer server;
    private final ExecutorService executor;

    private HttpEndpoints(HTTPServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code port} (0 = any free port) and starts serving.
     *
     * @param service names the threads ({@code <service>-http-N}) and the config key in errors
     *                ({@code <service>.metrics.port})
     */
    public static HttpEndpoints start(String service, int port, PrometheusRegistry registry, BooleanSupplier ready) {
        ExecutorService executor = Executors.newFixedThreadPool(2,
                Thread.ofPlatform().name(service + "-http-", 0).daemon(true).factory());
        try {
            HTTPServer server = HTTPServer.builder()
                    .port(port)
                    .registry(registry)
                    .executorService(executor)
                    .metricsHandlerPath("/metrics")
                    .registerHealthHandler(false)
                    .defaultHandler(exchange -> health(exchange, ready))
                    .buildAndStart();
            return new HttpEndpoints(server, executor);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot bind " + service + ".metrics.port " + port, e);
        }
    }

    /** The bound port. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
        executor.shutdownNow();
    }

    private static void health(HttpExchange exchange, BooleanSupplier ready) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/health/live" -> reply(exchange, 200, "UP\n");
                case "/health/ready" -> {
                    boolean isReady = ready.getAsBoolean();
                    reply(exchange, isReady ? 200 : 503, isReady ? "READY\n" : "NOT READY\n");
                }
                default -> reply(exchange, 404, "not found: " + path + "\n");
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
