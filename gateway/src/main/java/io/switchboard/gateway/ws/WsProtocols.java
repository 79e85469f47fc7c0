package io.switchboard.gateway.ws;

import java.util.Objects;

/**
 * What the WebSocket endpoint negotiates and how it batches: the offered subprotocols, the size of a batch, and where
 * both are counted. Immutable, thread-safe.
 */
public record WsProtocols(ProtocolTable table, BatchLimits batchLimits, ProtocolMetrics metrics) {
    public WsProtocols {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(batchLimits, "batchLimits");
        Objects.requireNonNull(metrics, "metrics");
        metrics.offered(table);
    }

    /**
     * The sink a connection that negotiated {@code offer} writes to: {@code transport} itself, or for a {@code +batch}
     * offer, a sink that packs the frames of each write into batches.
     */
    public FrameSink sinkFor(ProtocolOffer offer, FrameSink transport) {
        metrics.negotiated(offer);
        return offer.batching()
                ? new BatchingFrameSink(transport, offer.encoding(), batchLimits, metrics::batchSent)
                : transport;
    }
}
