package io.switchboard.gateway.warmup;

import java.time.Duration;
import java.util.List;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * What the start-up warm-up did, in the registry passed in; {@link #close()} unregisters it. Thread-safe.
 * <ul>
 *   <li>{@code gateway_warm_up_seconds}: how long the warm-up delayed readiness, messages and connects together (0
 *       before it ran and when it is off)</li>
 *   <li>{@code gateway_warm_up_messages}: warm-up messages a router acknowledged</li>
 *   <li>{@code gateway_warm_up_connects}: warm-up connections that reached Connected</li>
 *   <li>{@code gateway_warm_up_complete}: 1 when every part that ran did all of its work in time, else 0</li>
 * </ul>
 */
public final class WarmUpMetrics implements AutoCloseable {
    private final PrometheusRegistry registry;
    private final Gauge seconds;
    private final Gauge messages;
    private final Gauge connects;
    private final Gauge complete;
    // @GuardedBy("this")
    private boolean allComplete = true;

    public WarmUpMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        seconds = Gauge.builder().name("gateway_warm_up_seconds")
                .help("How long the start-up warm-up of the publish, delivery and connect paths delayed readiness")
                .register(registry);
        messages = Gauge.builder().name("gateway_warm_up_messages")
                .help("Start-up warm-up messages a router acknowledged").register(registry);
        connects = Gauge.builder().name("gateway_warm_up_connects")
                .help("Start-up warm-up connections to the gateway's own port that reached Connected")
                .register(registry);
        complete = Gauge.builder().name("gateway_warm_up_complete")
                .help("1 when each part of the start-up warm-up that ran did all of its work in time, else 0")
                .register(registry);
    }

    public void record(PathWarmUp.Result result) {
        messages.set(result.published());
        part(result.took(), result.complete());
    }

    public void record(ConnectWarmUp.Result result) {
        connects.set(result.connected());
        part(result.took(), result.complete());
    }

    private synchronized void part(Duration took, boolean partComplete) {
        seconds.inc(took.toNanos() / 1e9);
        allComplete &= partComplete;
        complete.set(allComplete ? 1 : 0);
    }

    @Override
    public void close() {
        List<Collector> all = List.of(seconds, messages, connects, complete);
        all.forEach(registry::unregister);
    }
}
