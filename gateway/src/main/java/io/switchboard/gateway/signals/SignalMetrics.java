package io.switchboard.gateway.signals;

import java.util.List;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The signal consumer's metrics, in the registry passed in; {@link #close()} unregisters them. Thread-safe.
 * <ul>
 *   <li>{@code gateway_signal_records_total{topic,result}}: records read ({@code dispatched},
 *       {@code no_subscribers}, {@code not_addressed}, {@code invalid}, {@code ignored})</li>
 *   <li>{@code gateway_signal_deliveries_total{kind}}: frames handed to connections (or connections closed / rooms
 *       ended), by kind ({@code ephemeral}, {@code presence}, {@code user_message}, {@code disconnect},
 *       {@code close_room}, {@code subscribe}, {@code unsubscribe})</li>
 *   <li>{@code gateway_signal_topics_ready}: signal topics assigned and positioned at their end (3 when all are)</li>
 * </ul>
 */
final class SignalMetrics implements AutoCloseable {
    private final PrometheusRegistry registry;
    private final Counter records;
    private final Counter deliveries;
    private final Gauge topicsReady;
    private final List<Collector> all;

    SignalMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        records = Counter.builder().name("gateway_signal_records")
                .help("Signal records read, by topic and result").labelNames("topic", "result").register(registry);
        deliveries = Counter.builder().name("gateway_signal_deliveries")
                .help("Signal frames handed to local connections, by kind").labelNames("kind").register(registry);
        topicsReady = Gauge.builder().name("gateway_signal_topics_ready")
                .help("Signal topics assigned and positioned at their end").register(registry);
        all = List.of(records, deliveries, topicsReady);
    }

    void record(String topic, String result) {
        records.labelValues(topic, result).inc();
    }

    void delivered(String kind, int n) {
        deliveries.labelValues(kind).inc(n);
    }

    void topicsReady(int n) {
        topicsReady.set(n);
    }

    @Override
    public void close() {
        all.forEach(registry::unregister);
    }
}
