package io.switchboard.gateway.sse;

import java.util.List;
import java.util.function.IntSupplier;

import io.helidon.http.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The HTTP fallback's metrics, in the registry passed in; {@link #close()} unregisters them. Thread-safe.
 * <ul>
 *   <li>{@code gateway_connections_by_transport{transport}} (gauge): open client connections by transport,
 *       {@code websocket} and {@code sse} (together {@code gateway_connections})</li>
 *   <li>{@code gateway_http_fallback_requests_total{status}}: POSTs (client frames) and DELETEs to streams, by the HTTP status answered</li>
 * </ul>
 */
final class SseMetrics implements AutoCloseable {
    /** Every status a POST is answered with, so each series exists from the start. */
    private static final List<Status> POST_STATUSES = List.of(Status.NO_CONTENT_204, Status.BAD_REQUEST_400,
            Status.UNAUTHORIZED_401, Status.FORBIDDEN_403, Status.NOT_FOUND_404, Status.CONFLICT_409,
            Status.REQUEST_ENTITY_TOO_LARGE_413, Status.INTERNAL_SERVER_ERROR_500, Status.SERVICE_UNAVAILABLE_503);

    private final PrometheusRegistry registry;
    private final Counter posts;
    private final List<Collector> all;

    /**
     * @param connections every open client connection of the gateway (both transports)
     * @param streams     the open event streams
     */
    SseMetrics(PrometheusRegistry registry, IntSupplier connections, IntSupplier streams) {
        this.registry = registry;
        GaugeWithCallback byTransport = GaugeWithCallback.builder().name("gateway_connections_by_transport")
                .help("Open client connections by transport (websocket, sse)").labelNames("transport")
                .callback(cb -> {
                    int sse = streams.getAsInt();
                    cb.call(Math.max(0, connections.getAsInt() - sse), "websocket");
                    cb.call(sse, "sse");
                })
                .register(registry);
        posts = Counter.builder().name("gateway_http_fallback_requests")
                .help("POSTs (client frames) and DELETEs to the HTTP fallback's streams, by the HTTP status answered")
                .labelNames("status").register(registry);
        POST_STATUSES.forEach(s -> posts.labelValues(s.codeText()));
        all = List.of(byTransport, posts);
    }

    void posted(Status status) {
        posts.labelValues(status.codeText()).inc();
    }

    @Override
    public void close() {
        all.forEach(registry::unregister);
    }
}
