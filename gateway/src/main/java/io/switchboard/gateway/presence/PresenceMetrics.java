package io.switchboard.gateway.presence;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The presence reporter's metrics, in the registry passed in; {@link #close()} unregisters them. Thread-safe.
 * <ul>
 *   <li>{@code gateway_presence_reports_total{kind}}: calls answered ({@code report}, {@code heartbeat},
 *       {@code sync})</li>
 *   <li>{@code gateway_presence_failures_total}: Reports or Syncs that failed</li>
 *   <li>{@code gateway_presence_resyncs_total{reason}}: Syncs made necessary ({@code requested},
 *       {@code failure}, {@code overflow})</li>
 *   <li>{@code gateway_presence_queue_size}: changes waiting to be reported (summed over the reporters of the
 *       presence instances)</li>
 * </ul>
 */
final class PresenceMetrics implements AutoCloseable {
    private final PrometheusRegistry registry;
    private final Counter reports;
    private final Counter failures;
    private final Counter resyncs;
    private final Gauge queueSize;
    private final List<Collector> all;

    PresenceMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        reports = Counter.builder().name("gateway_presence_reports")
                .help("Presence calls answered, by kind (report, heartbeat, sync)").labelNames("kind")
                .register(registry);
        failures = Counter.builder().name("gateway_presence_failures")
                .help("Presence Reports or Syncs that failed").register(registry);
        resyncs = Counter.builder().name("gateway_presence_resyncs")
                .help("Full Syncs made necessary, by reason (requested, failure, overflow)").labelNames("reason")
                .register(registry);
        queueSize = Gauge.builder().name("gateway_presence_queue_size")
                .help("Presence changes waiting to be reported").register(registry);
        all = List.of(reports, failures, resyncs, queueSize);
    }

    void report(String kind) {
        reports.labelValues(kind).inc();
    }

    void failure() {
        failures.inc();
    }

    void resync(String reason) {
        resyncs.labelValues(reason).inc();
    }

    /** One reporter's queue is now {@code n} long; {@code queued} is its own count, the gauge shows the sum. */
    void queueSize(AtomicInteger queued, int n) {
        queueSize.inc(n - queued.getAndSet(n));
    }

    @Override
    public void close() {
        all.forEach(registry::unregister);
    }
}
