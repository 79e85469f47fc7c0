package io.switchboard.gateway.authz;

import java.util.List;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Room authorization metrics: decisions by source and result, and the backend's calls by outcome with their
 * duration. The decision counters are resolved once, since a decision is counted for every publish. Thread-safe.
 */
final class AuthzMetrics implements AutoCloseable {
    private final PrometheusRegistry registry;
    private final Counter decisions;
    private final Counter backendCalls;
    private final Histogram backendDuration;
    private final List<Collector> all;
    // [source ordinal][0 deny, 1 allow]
    private final CounterDataPoint[][] decisionCounts;

    AuthzMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        decisions = Counter.builder().name("gateway_authz_decisions")
                .help("Room authorization decisions, by source (token, policy, backend, backend_unavailable,"
                        + " no_grant, inbox) and result (allow, deny)")
                .labelNames("source", "result").register(registry);
        backendCalls = Counter.builder().name("gateway_authz_backend_calls")
                .help("Authorize calls to the application backend, by outcome (allow, deny, error,"
                        + " breaker_open); cached answers make no call")
                .labelNames("outcome").register(registry);
        backendDuration = Histogram.builder().name("gateway_authz_backend_duration_seconds")
                .help("Time of one Authorize call to the application backend")
                .classicOnly().register(registry);
        all = List.of(decisions, backendCalls, backendDuration);
        Verdict.Source[] sources = Verdict.Source.values();
        decisionCounts = new CounterDataPoint[sources.length][2];
        for (Verdict.Source s : sources) {
            decisionCounts[s.ordinal()][0] = decisions.labelValues(s.label(), "deny");
            decisionCounts[s.ordinal()][1] = decisions.labelValues(s.label(), "allow");
        }
    }

    void decision(Verdict verdict) {
        decisionCounts[verdict.source().ordinal()][verdict.allowed() ? 1 : 0].inc();
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
