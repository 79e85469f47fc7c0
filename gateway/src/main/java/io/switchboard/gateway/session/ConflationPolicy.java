package io.switchboard.gateway.session;

import java.util.Map;

import io.switchboard.proto.Names;
import io.switchboard.service.config.Settings;

/**
 * Which namespaces are conflated and at what rate ({@code gateway.conflation.namespaces.<ns>.max-rate}). Immutable.
 *
 * @param maxRates namespace to the most messages per second one subscriber receives of one of its rooms
 */
public record ConflationPolicy(Map<String, Integer> maxRates) {
    /** No namespace is conflated. */
    public static final ConflationPolicy NONE = new ConflationPolicy(Map.of());

    public ConflationPolicy {
        maxRates = Map.copyOf(maxRates);
        maxRates.forEach((ns, rate) -> {
            if (rate < 1 || rate > 1000) {
                throw new IllegalArgumentException("max-rate of '" + ns + "': " + rate + " (expected: 1-1000)");
            }
        });
    }

    /** The policy of {@code settings}. */
    public static ConflationPolicy from(Settings settings) {
        return new ConflationPolicy(settings.byName(ConflationKeys.MAX_RATE));
    }

    /** True when no namespace is conflated (sessions then keep no conflation state at all). */
    public boolean isEmpty() {
        return maxRates.isEmpty();
    }

    /** The shortest time between two messages of {@code room} to one subscriber, in nanoseconds; 0: not conflated. */
    long intervalNanos(String room) {
        Integer rate = maxRates.get(Names.namespace(room));
        return rate == null ? 0 : 1_000_000_000L / rate;
    }
}
