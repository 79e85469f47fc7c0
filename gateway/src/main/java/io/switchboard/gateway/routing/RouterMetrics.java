package io.switchboard.gateway.routing;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Router-side metrics of the gateway, registered in the registry passed in and unregistered by {@link #close()}:
 * <ul>
 *   <li>{@code gateway_router_breaker_state{router,state}} (gauge): 1 for the state each known router's
 *       circuit breaker is in ({@code closed}, {@code open}, {@code half_open}, ...), 0 for the others</li>
 *   <li>{@code gateway_routers} (gauge): routers currently known (configured or discovered)</li>
 *   <li>{@code gateway_router_failovers_total{reason}}: calls sent past the room's owner, because its breaker
 *       was open ({@code breaker_open}) or because it answered UNAVAILABLE ({@code unavailable})</li>
 *   <li>{@code gateway_router_rejected_total}: calls failed at once because no router's breaker permitted one</li>
 *   <li>{@code gateway_router_dns_refreshes_total{result}}: discovery lookups ({@code ok}, {@code failed})</li>
 * </ul>
 * Thread-safe.
 */
final class RouterMetrics implements AutoCloseable {
    private static final List<CircuitBreaker.State> STATES = List.of(CircuitBreaker.State.values());

    private final PrometheusRegistry registry;
    private final Counter failovers;
    private final Counter rejected;
    private final Counter dnsRefreshes;
    private final List<Collector> all;

    RouterMetrics(PrometheusRegistry registry, Supplier<Map<RouterEndpoint, CircuitBreaker.State>> states) {
        this.registry = registry;
        GaugeWithCallback breakerState = GaugeWithCallback.builder().name("gateway_router_breaker_state")
                .help("1 for the state each router's circuit breaker is in, 0 for the others")
                .labelNames("router", "state")
                .callback(cb -> states.get().forEach((router, state) -> {
                    for (CircuitBreaker.State s : STATES) {
                        cb.call(s == state ? 1 : 0, router.toString(), s.name().toLowerCase(Locale.ROOT));
                    }
                }))
                .register(registry);
        GaugeWithCallback routers = GaugeWithCallback.builder().name("gateway_routers")
                .help("Routers currently known (configured or discovered)")
                .callback(cb -> cb.call(states.get().size()))
                .register(registry);
        failovers = Counter.builder().name("gateway_router_failovers")
                .help("Router calls sent past the key's owner, by reason (breaker_open, unavailable)")
                .labelNames("reason").register(registry);
        rejected = Counter.builder().name("gateway_router_rejected")
                .help("Router calls failed at once because no router's circuit breaker permitted one")
                .register(registry);
        dnsRefreshes = Counter.builder().name("gateway_router_dns_refreshes")
                .help("Router discovery lookups, by result (ok, failed)").labelNames("result").register(registry);
        all = List.of(breakerState, routers, failovers, rejected, dnsRefreshes);
    }

    void failover(String reason) {
        failovers.labelValues(reason).inc();
    }

    void rejected() {
        rejected.inc();
    }

    void dnsRefresh(boolean ok) {
        dnsRefreshes.labelValues(ok ? "ok" : "failed").inc();
    }

    @Override
    public void close() {
        all.forEach(registry::unregister);
    }
}
