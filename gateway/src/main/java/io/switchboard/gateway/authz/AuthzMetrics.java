package io.switchboard.gateway.authz;

import java.util.List;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Room authorization metrics: decisions by source and result, and the backend's calls by outcome with their
 * duration. Thread-safe.
 */
final class AuthzMetrics implements AutoCloseable {
    private final PrometheusRegistry registry;
    private final Counter decisions;
    private final Counter backendCalls;
    private final Histogram backendDuration;
    private final List<Collector> all;

    AuthzMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        decisions = Counter.builder().name("gateway_authz_decisions")
                .help("Room authorization decisions, by source (token, policy, backend, backend_unavailable,"
                        + " no_grant) and result (allow, deny)")
                .labelNames("source", "result").register(registry);
        backendCalls = Counter.builder().name("gateway_authz_backend_calls")
                .help("Authorize calls to the application backend, by outcome (allow, deny, error,"
                        + " breaker_open); cached answers make no call")
                .labelNames("outcome").register(registry);
        backendDuration = Histogram.builder().name("gateway_authz_backend_duration_seconds")
                .help("Time of one Authorize call to the application backend")
                .classicOnly().register(registry);
        all = List.of(decisions, backendCalls, backendDuration);
    }

    void decision(Verdict verdict) {
        decisions.labelValues(verdict.source().label(), verdict.allowed() ? "allow" : "deny").inc();
    }

    void backendCall(String outcome, long nanos) {
        backendCalls.labelValues(outcome).inc();
        if (nanos >= 0) {
            backendDuration.observe(nanos / 1e9);
        }
    }

    @Override
    public void close() {
        all.forEach(registry::unregister);
    }
}
