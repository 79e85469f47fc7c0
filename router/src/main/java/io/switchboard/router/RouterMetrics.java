package io.switchboard.router;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * The router's Prometheus metrics, registered in the registry it is given (never the default one) and
 * removed from it again by {@link #unregister()}. Thread-safe.
 *
 * <ul>
 * <li>{@code switchboard_router_publishes_total{outcome}}: publishes by outcome ({@link Outcome})</li>
 * <li>{@code switchboard_router_publish_duration_seconds}: gRPC receive to Kafka acknowledgement of sent
 * publishes</li>
 * <li>{@code switchboard_router_publishes_in_flight}: publishes waiting for Kafka</li>
 * <li>{@code switchboard_router_dedup_entries}: remembered (sender, id) pairs</li>
 * <li>{@code switchboard_router_history_retries_total}: public-API history reads retried on another history
 * replica after UNAVAILABLE</li>
 * </ul>
 */
final class RouterMetrics {
    /** How a publish ended, the {@code outcome} label. */
    enum Outcome {
        /** Stored by Kafka and acknowledged. */
        OK,
        /** A retry of an id already published (or being published): answered with the original position. */
        DUPLICATE,
        /** Rejected by validation (INVALID_ARGUMENT, or RESOURCE_EXHAUSTED for an oversized payload). */
        INVALID,
        /** Refused because too many publishes were in flight. */
        EXHAUSTED,
        /** Kafka did not acknowledge. */
        UNAVAILABLE,
        /** The caller's call ended before the send started; nothing was sent. */
        CANCELLED,
        /** An earlier publish of its sender's lane was not stored; nothing was sent. */
        OUT_OF_SEQUENCE;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final PrometheusRegistry registry;
    private final Counter publishes;
    private final Histogram latency;
    private final GaugeWithCallback inFlight;
    private final GaugeWithCallback dedupEntries;
    private final Counter catchUps;
    private final Counter historyRetries;

    RouterMetrics(PrometheusRegistry registry, DoubleSupplier inFlight, DoubleSupplier dedupEntries) {
        this.registry = registry;
        this.publishes = Counter.builder()
                .name("switchboard_router_publishes_total")
                .help("Publishes by outcome")
                .labelNames("outcome")
                // Counted on every publish (on the producer's I/O thread): no exemplar sampling, as no trace
                // context is there to sample.
                .withoutExemplars()
                .build();
        Arrays.stream(Outcome.values()).forEach(o -> publishes.initLabelValues(o.label()));
        this.latency = Histogram.builder()
                .name("switchboard_router_publish_duration_seconds")
                .help("Time from receiving a publish to Kafka's acknowledgement")
                .unit(Unit.SECONDS)
                .classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .withoutExemplars()
                .build();
        this.inFlight = GaugeWithCallback.builder()
                .name("switchboard_router_publishes_in_flight")
                .help("Publishes waiting for Kafka's acknowledgement")
                .callback(cb -> cb.call(inFlight.getAsDouble()))
                .build();
        this.dedupEntries = GaugeWithCallback.builder()
                .name("switchboard_router_dedup_entries")
                .help("Remembered (sender, id) pairs in the retry cache")
                .callback(cb -> cb.call(dedupEntries.getAsDouble()))
                .build();
        this.catchUps = Counter.builder()
                .name("switchboard_router_dedup_catch_ups_total")
                .help("Publishes that may repeat one stored by another router, by whether the dedup memory had caught"
                        + " up with the log before they were checked")
                .labelNames("caught_up")
                .build();
        this.historyRetries = Counter.builder()
                .name("switchboard_router_history_retries_total")
                .help("Public-API history reads retried on another history replica after UNAVAILABLE")
                .build();
        registry.register(historyRetries);
        catchUps.initLabelValues("true");
        catchUps.initLabelValues("false");
        registry.register(publishes);
        registry.register(latency);
        registry.register(catchUps);
        registry.register(this.inFlight);
        registry.register(this.dedupEntries);
    }

    void count(Outcome outcome) {
        publishes.labelValues(outcome.label()).inc();
    }

    /** Records a publish that Kafka acknowledged, {@code nanos} after it was received. */
    void acknowledged(long nanos) {
        latency.observe(nanos / 1e9);
    }

    /** A publish that may repeat one stored elsewhere was checked after catching up with the log, or not. */
    void caughtUp(boolean caughtUp) {
        catchUps.labelValues(Boolean.toString(caughtUp)).inc();
    }

    /** A history read of the public API is retried on another replica. */
    void historyRetry() {
        historyRetries.inc();
    }

    /** How many publishes ended with {@code outcome} so far. */
    long total(Outcome outcome) {
        return (long) publishes.labelValues(outcome.label()).get();
    }

    void unregister() {
        List.of(publishes, latency, inFlight, dedupEntries, catchUps, historyRetries)
                .forEach(registry::unregister);
    }
}
