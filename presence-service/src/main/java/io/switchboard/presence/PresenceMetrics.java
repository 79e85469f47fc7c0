package io.switchboard.presence;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.presence.state.PresenceState;
import io.switchboard.proto.internal.v1.PresenceRecord;

import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The presence service's Prometheus metrics, registered in the registry it is given and removed by
 * {@link #unregister()}. Thread-safe.
 *
 * <ul>
 * <li>{@code switchboard_presence_gateways}, {@code _connections}, {@code _users_online}, {@code _rooms}: model sizes</li>
 * <li>{@code switchboard_presence_reports_total{outcome}}: Reports by outcome ({@code applied}, {@code duplicate},
 *     {@code unknown_gateway}, {@code new_incarnation}, {@code lease_expired}, {@code seq_gap}, {@code awaiting_sync})</li>
 * <li>{@code switchboard_presence_resyncs_total}: Reports answered with resync_required</li>
 * <li>{@code switchboard_presence_syncs_total}: Syncs applied</li>
 * <li>{@code switchboard_presence_lease_expiries_total}: gateways dropped because their lease passed</li>
 * <li>{@code switchboard_presence_records_written_total{kind}}: records Kafka acknowledged ({@code room}, {@code user})</li>
 * <li>{@code switchboard_presence_records_failed_total}: records Kafka did not take</li>
 * <li>{@code switchboard_presence_shards_owned}: shards this instance owns (with {@code presence.shards.enabled},
 *     summed over the instances it is {@code presence.shards.count} once the group is settled; 1 without)</li>
 * </ul>
 */
final class PresenceMetrics {
    private final PrometheusRegistry registry;
    private final List<Collector> collectors;
    private final Counter reports;
    private final Counter resyncs;
    private final Counter syncs;
    private final Counter leaseExpiries;
    private final Counter written;
    private volatile Collector shards;

    PresenceMetrics(PrometheusRegistry registry, Supplier<PresenceState.Counts> counts, LongSupplier failed) {
        this.registry = registry;
        reports = Counter.builder().name("switchboard_presence_reports_total")
                .help("Reports received, by outcome").labelNames("outcome").build();
        resyncs = Counter.builder().name("switchboard_presence_resyncs_total")
                .help("Reports answered with resync_required").build();
        syncs = Counter.builder().name("switchboard_presence_syncs_total").help("Syncs applied").build();
        leaseExpiries = Counter.builder().name("switchboard_presence_lease_expiries_total")
                .help("Gateways dropped because their lease passed").build();
        written = Counter.builder().name("switchboard_presence_records_written_total")
                .help("Presence records acknowledged by Kafka, by kind").labelNames("kind").build();
        collectors = List.of(reports, resyncs, syncs, leaseExpiries, written,
                gauge("switchboard_presence_gateways", "Gateways with a live lease", counts,
                        PresenceState.Counts::gateways),
                gauge("switchboard_presence_connections", "Connections reported by live gateways", counts,
                        PresenceState.Counts::connections),
                gauge("switchboard_presence_users_online", "Users with at least one connection", counts,
                        PresenceState.Counts::users),
                gauge("switchboard_presence_rooms", "Rooms with at least one subscribed connection", counts,
                        PresenceState.Counts::rooms),
                CounterWithCallback.builder().name("switchboard_presence_records_failed_total")
                        .help("Presence records Kafka refused or did not acknowledge in time")
                        .callback(cb -> cb.call(failed.getAsLong())).build());
        collectors.forEach(registry::register);
    }

    private static GaugeWithCallback gauge(String name, String help, Supplier<PresenceState.Counts> counts,
                                           ToLongFunction<PresenceState.Counts> value) {
        return GaugeWithCallback.builder().name(name).help(help)
                .callback(cb -> cb.call(value.applyAsLong(counts.get()))).build();
    }

    void report(PresenceState.Outcome outcome) {
        reports.labelValues(outcome.name().toLowerCase(Locale.ROOT)).inc();
        if (outcome.resyncRequired()) {
            resyncs.inc();
        }
    }

    void sync() {
        syncs.inc();
    }

    void leaseExpiries(int gateways) {
        leaseExpiries.inc(gateways);
    }

    void written(PresenceRecord record) {
        written.labelValues(record.hasRoom() ? "room" : "user").inc();
    }

    long written(String kind) {
        return (long) written.labelValues(kind).get();
    }

    long leaseExpiries() {
        return (long) leaseExpiries.get();
    }

    long resyncs() {
        return (long) resyncs.get();
    }

    /** Registers {@code switchboard_presence_shards_owned}, read from {@code owned}. */
    void shardsOwned(IntSupplier owned) {
        Collector gauge = GaugeWithCallback.builder().name("switchboard_presence_shards_owned")
                .help("Shards this presence instance owns").callback(cb -> cb.call(owned.getAsInt())).build();
        registry.register(gauge);
        shards = gauge;
    }

    void unregister() {
        collectors.forEach(registry::unregister);
        Collector owned = shards;
        if (owned != null) {
            registry.unregister(owned);
        }
    }
}
