package io.switchboard.gateway.probe;

import java.util.List;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.observe.GatewayMetrics;

/**
 * The delivery probe's metrics, in the registry passed in; {@link #close()} unregisters them. Thread-safe.
 * <ul>
 *   <li>{@code switchboard_delivery_probe_latency_seconds} (histogram): this gateway's probe, published to
 *       received back from its own fan-out</li>
 *   <li>{@code switchboard_delivery_probe_failures_total{reason, origin}}: probes that failed, by reason
 *       ({@code publish_failed}, {@code lost}: this gateway's own; {@code peer_missing}: a peer's probes stopped
 *       arriving) and the gateway whose probe it was. This gateway's own series and each peer's
 *       {@code peer_missing} series start at 0 (so {@code rate} and {@code increase} see the first failure); a
 *       forgotten peer's series is removed.</li>
 * </ul>
 */
public final class ProbeMetrics implements AutoCloseable {
    static final String PUBLISH_FAILED = "publish_failed";
    static final String LOST = "lost";
    static final String PEER_MISSING = "peer_missing";

    private final PrometheusRegistry registry;
    private final Histogram latency;
    private final Counter failures;
    private final List<Collector> all;

    public ProbeMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        latency = Histogram.builder().name("switchboard_delivery_probe_latency_seconds")
                .help("Delivery probe round trip: published by this gateway to received back from its fan-out")
                .classicOnly()
                .classicUpperBounds(GatewayMetrics.LATENCY_BUCKETS)
                .register(registry);
        failures = Counter.builder().name("switchboard_delivery_probe_failures")
                .help("Delivery probes that failed, by reason (publish_failed, lost, peer_missing) and origin"
                        + " gateway")
                .labelNames("reason", "origin").register(registry);
        all = List.of(latency, failures);
    }

    /** Starts this gateway's own failure series at 0. */
    void self(String gatewayId) {
        failures.labelValues(PUBLISH_FAILED, gatewayId);
        failures.labelValues(LOST, gatewayId);
    }

    void arrived(long nanos) {
        latency.observe(nanos / 1e9);
    }

    void failed(String reason, String origin) {
        failures.labelValues(reason, origin).inc();
    }

    void peerDiscovered(String peer) {
        failures.labelValues(PEER_MISSING, peer);
    }

    void peerForgotten(String peer) {
        failures.remove(PEER_MISSING, peer);
    }

    @Override
    public void close() {
        all.forEach(registry::unregister);
    }
}
