package io.switchboard.gateway.ws;

import java.util.List;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The WebSocket protocol's metrics, in the registry passed in; {@link #close()} unregisters them. Thread-safe.
 * <ul>
 *   <li>{@code gateway_subprotocols_negotiated_total{subprotocol}}: upgrades by the subprotocol they negotiated,
 *       what tells operators who still speaks a version before it is retired</li>
 *   <li>{@code gateway_batches_sent_total} and {@code gateway_batched_frames_total}: {@code Batch} messages written
 *       and the frames inside them</li>
 *   <li>{@code gateway_compressed_connections_total}: connections that negotiated permessage-deflate</li>
 * </ul>
 */
public final class ProtocolMetrics implements AutoCloseable {
    private final PrometheusRegistry registry;
    private final Counter negotiated;
    private final Counter batches;
    private final Counter batchedFrames;
    private final Counter compressed;
    private final List<Collector> all;

    public ProtocolMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        negotiated = Counter.builder().name("gateway_subprotocols_negotiated")
                .help("WebSocket upgrades by the subprotocol they negotiated").labelNames("subprotocol")
                .register(registry);
        batches = Counter.builder().name("gateway_batches_sent")
                .help("Batch messages written to clients that negotiated a +batch subprotocol").withoutExemplars()
                .register(registry);
        batchedFrames = Counter.builder().name("gateway_batched_frames")
                .help("Server frames written inside Batch messages").withoutExemplars().register(registry);
        compressed = Counter.builder().name("gateway_compressed_connections")
                .help("WebSocket connections that negotiated permessage-deflate").withoutExemplars().register(registry);
        all = List.of(negotiated, batches, batchedFrames, compressed);
    }

    /** Starts every offered subprotocol's series at 0, so the first upgrade of each is seen by {@code rate}. */
    void offered(ProtocolTable table) {
        table.tokens().forEach(negotiated::labelValues);
    }

    void negotiated(ProtocolOffer offer) {
        negotiated.labelValues(offer.token()).inc();
    }

    void compressedConnection() {
        compressed.inc();
    }

    void batchSent(int frames) {
        batches.inc();
        batchedFrames.inc(frames);
    }

    @Override
    public void close() {
        all.forEach(registry::unregister);
    }
}
