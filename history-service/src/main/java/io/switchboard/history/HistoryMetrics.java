package io.switchboard.history;

import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The history service's Prometheus metrics, registered in the registry it is given and removed by
 * {@link #unregister()}. Thread-safe.
 *
 * <ul>
 * <li>{@code switchboard_history_records_ingested_total}: records stored from Kafka</li>
 * <li>{@code switchboard_history_ingest_lag_records{partition}}: log end offset minus next offset, sampled per poll</li>
 * <li>{@code switchboard_history_caught_up}: 1 once ingestion reached the log end offsets found at startup (the
 * replica is ready and takes reads), else 0</li>
 * <li>{@code switchboard_history_reads_total{outcome}}: reads by gRPC status code ({@code ok}, {@code not_found}...)</li>
 * <li>{@code switchboard_history_read_duration_seconds}: read latency, including waits for {@code until}</li>
 * <li>{@code switchboard_history_retention_deleted_total}: messages deleted by retention</li>
 * </ul>
 */
final class HistoryMetrics {
    private final PrometheusRegistry registry;
    private final CounterWithCallback ingested;
    private final GaugeWithCallback lag;
    private final GaugeWithCallback caughtUp;
    private final Counter reads;
    private final Histogram latency;
    private final Counter deleted;

    HistoryMetrics(PrometheusRegistry registry, LongSupplier ingested, Supplier<Map<Integer, Long>> lag,
                   BooleanSupplier caughtUp) {
        this.registry = registry;
        this.ingested = CounterWithCallback.builder()
                .name("switchboard_history_records_ingested_total")
                .help("Records stored from the Kafka room log")
                .callback(cb -> cb.call(ingested.getAsLong()))
                .build();
        this.lag = GaugeWithCallback.builder()
                .name("switchboard_history_ingest_lag_records")
                .help("Records in the partition not yet ingested (log end offset minus next offset)")
                .labelNames("partition")
                .callback(cb -> lag.get().forEach((p, l) -> cb.call(l, Integer.toString(p))))
                .build();
        this.caughtUp = GaugeWithCallback.builder()
                .name("switchboard_history_caught_up")
                .help("1 once ingestion reached the log end offsets found at startup (ready for reads), else 0")
                .callback(cb -> cb.call(caughtUp.getAsBoolean() ? 1 : 0))
                .build();
        this.reads = Counter.builder()
                .name("switchboard_history_reads_total")
                .help("Reads by outcome (gRPC status code)")
                .labelNames("outcome")
                .build();
        this.latency = Histogram.builder()
                .name("switchboard_history_read_duration_seconds")
                .help("Read latency, including waits for ingestion to reach until")
                .unit(Unit.SECONDS)
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .build();
        this.deleted = Counter.builder()
                .name("switchboard_history_retention_deleted_total")
                .help("Messages deleted by retention")
                .build();
        List.of(this.ingested, this.lag, this.caughtUp, reads, latency, deleted).forEach(registry::register);
    }

    void read(Status.Code code, long nanos) {
        reads.labelValues(code.name().toLowerCase(Locale.ROOT)).inc();
        latency.observe(nanos / 1e9);
    }

    long reads(Status.Code code) {
        return (long) reads.labelValues(code.name().toLowerCase(Locale.ROOT)).get();
    }

    void deleted(long messages) {
        deleted.inc(messages);
    }

    void unregister() {
        List.of(ingested, lag, caughtUp, reads, latency, deleted).forEach(registry::unregister);
    }
}
