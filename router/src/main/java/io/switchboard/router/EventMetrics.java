package io.switchboard.router;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * Metrics of the router's RPCs besides Publish, registered in the registry it is given and removed again by
 * {@link #unregister()}. Thread-safe.
 *
 * <ul>
 * <li>{@code switchboard_router_ephemeral_total{outcome}}: PublishEphemeral calls</li>
 * <li>{@code switchboard_router_direct_messages_total{outcome}}: SendToUser calls</li>
 * <li>{@code switchboard_router_control_total{command,outcome}}: SendControl calls
 * ({@code command} = disconnect | close_room | none)</li>
 * <li>{@code switchboard_router_presence_invalidations_total}: user records read from the presence topic</li>
 * <li>{@code switchboard_router_presence_cache_entries}: users whose presence is cached</li>
 * </ul>
 */
final class EventMetrics {
    /** How a call ended, the {@code outcome} label. Each counter uses the subset that applies to it. */
    enum Outcome {
        /** Written to Kafka (control: and acknowledged). */
        OK,
        /** PublishEphemeral: dropped by the per (user, room, kind) throttle. */
        THROTTLED,
        /** SendToUser: the (user, id) was already sent; answered with the first call's devices. */
        DUPLICATE,
        /** SendToUser / disconnect: presence knows no matching connection, nothing was written. */
        OFFLINE,
        /** Rejected by validation. */
        INVALID,
        /** Too many Kafka writes in flight. */
        EXHAUSTED,
        /** Kafka or the presence service failed, or presence is not configured. */
        UNAVAILABLE,
        /** The caller's call ended before anything was written. */
        CANCELLED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final List<Outcome> EPHEMERAL_OUTCOMES = List.of(Outcome.OK, Outcome.THROTTLED, Outcome.INVALID,
            Outcome.EXHAUSTED, Outcome.UNAVAILABLE, Outcome.CANCELLED);
    static final List<Outcome> DIRECT_OUTCOMES = List.of(Outcome.OK, Outcome.DUPLICATE, Outcome.OFFLINE,
            Outcome.INVALID, Outcome.EXHAUSTED, Outcome.UNAVAILABLE, Outcome.CANCELLED);

    private final PrometheusRegistry registry;
    private final Counter ephemeral;
    private final Counter direct;
    private final Counter control;
    private final Counter invalidations;
    private final GaugeWithCallback presenceCacheEntries;

    EventMetrics(PrometheusRegistry registry, DoubleSupplier presenceCacheEntries) {
        this.registry = registry;
        this.ephemeral = Counter.builder().name("switchboard_router_ephemeral_total")
                .help("PublishEphemeral calls by outcome").labelNames("outcome").build();
        EPHEMERAL_OUTCOMES.forEach(o -> ephemeral.initLabelValues(o.label()));
        this.direct = Counter.builder().name("switchboard_router_direct_messages_total")
                .help("SendToUser calls by outcome").labelNames("outcome").build();
        DIRECT_OUTCOMES.forEach(o -> direct.initLabelValues(o.label()));
        this.control = Counter.builder().name("switchboard_router_control_total")
                .help("SendControl calls by command and outcome").labelNames("command", "outcome").build();
        this.invalidations = Counter.builder().name("switchboard_router_presence_invalidations_total")
                .help("User presence records read from the presence topic (each drops a cached lookup)").build();
        this.presenceCacheEntries = GaugeWithCallback.builder().name("switchboard_router_presence_cache_entries")
                .help("Users whose presence lookup is cached")
                .callback(cb -> cb.call(presenceCacheEntries.getAsDouble()))
                .build();
        registry.register(ephemeral);
        registry.register(direct);
        registry.register(control);
        registry.register(invalidations);
        registry.register(this.presenceCacheEntries);
    }

    void ephemeral(Outcome outcome) {
        ephemeral.labelValues(outcome.label()).inc();
    }

    void direct(Outcome outcome) {
        direct.labelValues(outcome.label()).inc();
    }

    void control(String command, Outcome outcome) {
        control.labelValues(command, outcome.label()).inc();
    }

    void invalidated() {
        invalidations.inc();
    }

    long ephemeralTotal(Outcome outcome) {
        return (long) ephemeral.labelValues(outcome.label()).get();
    }

    long directTotal(Outcome outcome) {
        return (long) direct.labelValues(outcome.label()).get();
    }

    long controlTotal(String command, Outcome outcome) {
        return (long) control.labelValues(command, outcome.label()).get();
    }

    long invalidations() {
        return (long) invalidations.get();
    }

    void unregister() {
        List.of(ephemeral, direct, control, invalidations, presenceCacheEntries).forEach(registry::unregister);
    }
}
