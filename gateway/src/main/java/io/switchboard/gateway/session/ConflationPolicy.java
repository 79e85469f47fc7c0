package io.switchboard.gateway.session;

import java.util.Map;

import io.switchboard.proto.Names;
import io.switchboard.service.config.Settings;

/**
 * Which namespaces are conflated and at what rate ({@code gateway.conflation.namespaces.<ns>.max-rate}), and how
 * many conflation keys a connection tracks per room ({@code gateway.conflation.max-keys-per-room}). Immutable.
 *
 * @param maxRates       namespace to the most messages per second one subscriber receives of one of its rooms (per
 *                       conflation key)
 * @param maxKeysPerRoom key slots one connection keeps per conflated room
 */
public record ConflationPolicy(Map<String, Integer> maxRates, int maxKeysPerRoom) {
    /** No namespace is conflated. */
    public static final ConflationPolicy NONE = new ConflationPolicy(Map.of());

    /** {@code maxRates} with the default bound of key slots. */
    public ConflationPolicy(Map<String, Integer> maxRates) {
        this(maxRates, ConflationKeys.MAX_KEYS_PER_ROOM.defaultValue().orElseThrow());
    }

    public ConflationPolicy {
        if (maxKeysPerRoom < 1) {
            throw new IllegalArgumentException("max-keys-per-room: " + maxKeysPerRoom + " (expected: >= 1)");
        }
        maxRates = Map.copyOf(maxRates);
        maxRates.forEach((ns, rate) -> {
            if (rate < 1 || rate > 1000) {
                throw new IllegalArgumentException("max-rate of '" + ns + "': " + rate + " (expected: 1-1000)");
            }
        });
    }

    /** The policy of {@code settings}. */
    public static ConflationPolicy from(Settings settings) {
        return new ConflationPolicy(settings.byName(ConflationKeys.MAX_RATE),
                settings.get(ConflationKeys.MAX_KEYS_PER_ROOM));
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
