package io.switchboard.gateway.limits;

import java.util.EnumMap;
import java.util.Map;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * {@code gateway_limit_refusals_total{limit}}: what the edge limits refused, one series per {@link Limit}, all
 * present from the start. Thread-safe.
 */
public final class LimitMetrics implements AutoCloseable {
    /** Each limit, with its label value. */
    public enum Limit {
        /** An upgrade whose Origin is not allowed (HTTP 403). */
        ORIGIN("origin"),
        /** An upgrade beyond {@code gateway.limits.max-connections} (HTTP 503). */
        GATEWAY_CONNECTIONS("gateway_connections"),
        /** An upgrade beyond {@code gateway.limits.max-connections-per-ip} (HTTP 429). */
        ADDRESS_CONNECTIONS("address_connections"),
        /** A Connect beyond {@code gateway.limits.max-connections-per-user} (close 3005). */
        USER_CONNECTIONS("user_connections"),
        /** A Connect beyond {@code gateway.limits.max-cluster-connections-per-user} (close 3005). */
        CLUSTER_USER_CONNECTIONS("cluster_user_connections"),
        /** A frame beyond {@code gateway.limits.messages-per-second} (Error 103). */
        MESSAGE_RATE("message_rate"),
        /** A frame beyond {@code gateway.limits.bytes-per-second} (Error 103). */
        BYTE_RATE("byte_rate"),
        /** A connection closed after sustained rate limiting (close 3004). */
        RATE_CLOSE("rate_close"),
        /** A Connect frame beyond {@code gateway.limits.max-connect-frame-bytes} (close 1009). */
        CONNECT_FRAME("connect_frame"),
        /** A connection closed without a complete request head within {@code gateway.limits.handshake-timeout}. */
        HANDSHAKE_TIMEOUT("handshake_timeout");

        private final String label;

        Limit(String label) {
            this.label = label;
        }
    }

    private final PrometheusRegistry registry;
    private final Counter refusals;
    private final Map<Limit, CounterDataPoint> byLimit = new EnumMap<>(Limit.class);

    public LimitMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        refusals = Counter.builder().name("gateway_limit_refusals")
                .help("Refusals by the gateway's edge limits: origin, gateway_connections, address_connections,"
                        + " user_connections, cluster_user_connections, message_rate, byte_rate, rate_close, connect_frame, handshake_timeout")
                .labelNames("limit").register(registry);
        for (Limit l : Limit.values()) {
            byLimit.put(l, refusals.labelValues(l.label));
        }
    }

    /** A metrics sink that registers nothing (unit tests of the limits). */
    public static LimitMetrics unregistered() {
        return new LimitMetrics(new PrometheusRegistry());
    }

    public void refused(Limit limit) {
        byLimit.get(limit).inc();
    }

    @Override
    public void close() {
        registry.unregister(refusals);
    }
}
