package io.switchboard.gateway.warmup;

import java.util.List;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * What the start-up warm-up did, in the registry passed in; {@link #close()} unregisters it. Thread-safe.
 * <ul>
 *   <li>{@code gateway_warm_up_seconds}: how long the warm-up delayed readiness (0 before it ran and when it is
 *       off)</li>
 *   <li>{@code gateway_warm_up_messages}: warm-up messages a router acknowledged</li>
 *   <li>{@code gateway_warm_up_complete}: 1 when every message was published and delivered in time, else 0</li>
 * </ul>
 */
public final class WarmUpMetrics implements AutoCloseable {
    private final PrometheusRegistry registry;
    private final Gauge seconds;
    private final Gauge messages;
    private final Gauge complete;

    public WarmUpMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        seconds = Gauge.builder().name("gateway_warm_up_seconds")
                .help("How long the start-up warm-up of the publish and delivery path delayed readiness")
                .register(registry);
        messages = Gauge.builder().name("gateway_warm_up_messages")
                .help("Start-up warm-up messages a router acknowledged").register(registry);
        complete = Gauge.builder().name("gateway_warm_up_complete")
                .help("1 when the start-up warm-up published and delivered every message in time, else 0")
                .register(registry);
    }

    public void record(PathWarmUp.Result result) {
        seconds.set(result.took().toNanos() / 1e9);
        messages.set(result.published());
        complete.set(result.complete() ? 1 : 0);
    }

    @Override
    public void close() {
        List<Collector> all = List.of(seconds, messages, complete);
        all.forEach(registry::unregister);
    }
}
