package io.switchboard.gateway.limits;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import io.helidon.webserver.websocket.WsConfig;

/**
 * Helidon's WebSocket protocol configuration with the gateway's origin allow-list in place of Helidon's exact-match
 * set. Helidon 4.5's upgrader checks an upgrade's {@code Origin} (when present) before any HTTP filter runs: with an
 * empty origin set against the {@code Host} header (same host and port), otherwise by {@code origins().contains}.
 * This configuration answers {@code contains} with {@link OriginPolicy#allows} (and counts a refusal), so wildcard
 * subdomains work and a refused origin still gets Helidon's own HTTP 403 before the upgrade. Immutable and
 * thread-safe.
 */
public record OriginCheckedWsConfig(String name, int maxFrameLength, Set<String> origins) implements WsConfig {

    /**
     * @param maxFrameLength largest client message, as {@code WsConfig.maxFrameLength}
     * @param policy         the allow-list
     * @param patterns       the allow-list as written (what the set lists, e.g. in Helidon's logs)
     * @param metrics        counts refused origins
     */
    public static OriginCheckedWsConfig of(int maxFrameLength, OriginPolicy policy, List<String> patterns,
                                           LimitMetrics metrics) {
        if (patterns.isEmpty()) {
            throw new IllegalArgumentException("patterns: [] (expected: at least one; unset keeps the same-origin"
                    + " rule)");
        }
        return new OriginCheckedWsConfig("websocket", maxFrameLength, new AllowList(policy, patterns, metrics));
    }

    /** A set whose membership is the policy's verdict; iterating lists the patterns. */
    private static final class AllowList extends AbstractSet<String> {
        private final OriginPolicy policy;
        private final List<String> patterns;
        private final LimitMetrics metrics;

        AllowList(OriginPolicy policy, List<String> patterns, LimitMetrics metrics) {
            this.policy = policy;
            this.patterns = List.copyOf(patterns);
            this.metrics = metrics;
        }

        @Override
        public boolean contains(Object origin) {
            boolean allowed = origin instanceof String s && policy.allows(s);
            if (!allowed) {
                metrics.refused(LimitMetrics.Limit.ORIGIN);
            }
            return allowed;
        }

        @Override
        public Iterator<String> iterator() {
            return patterns.iterator();
        }

        @Override
        public int size() {
            return patterns.size();
        }
    }
}
