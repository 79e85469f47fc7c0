package io.switchboard.history;

import io.helidon.config.Config;
import io.switchboard.proto.Names;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.Settings;
import io.switchboard.service.config.TierConfig;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The history service's configuration: the values of the keys in {@link HistoryKeys} (read one with
 * {@link #get(Key)}) and the retention policies made of them. Built from Helidon {@link Config}
 * ({@link #from(Config)}) or in code ({@link #builder()}); messages name the key, in the form
 * {@code "history.max-read-messages: 0 (expected: 1-1000)"}. Immutable, hence thread-safe.
 */
public final class HistoryConfig extends TierConfig {
    private final RetentionPolicy retention;
    private final Map<String, RetentionPolicy> namespaceRetention;

    private HistoryConfig(Settings s) {
        super(s);
        this.retention = new RetentionPolicy(s.get(HistoryKeys.MAX_AGE), s.get(HistoryKeys.MAX_MESSAGES));
        Set<String> namespaces = new LinkedHashSet<>(s.byName(HistoryKeys.NAMESPACE_MAX_AGE).keySet());
        namespaces.addAll(s.byName(HistoryKeys.NAMESPACE_MAX_MESSAGES).keySet());
        Map<String, RetentionPolicy> byNamespace = new LinkedHashMap<>();
        namespaces.forEach(ns -> byNamespace.put(ns, new RetentionPolicy(
                s.byName(HistoryKeys.NAMESPACE_MAX_AGE).getOrDefault(ns, retention.maxAge()),
                s.byName(HistoryKeys.NAMESPACE_MAX_MESSAGES).getOrDefault(ns, retention.maxMessages()))));
        this.namespaceRetention = Collections.unmodifiableMap(byNamespace);
    }

    /** A builder with every value at its default. */
    public static ConfigBuilder<HistoryConfig> builder() {
        return HistoryKeys.CATALOGUE.builder(HistoryConfig::new);
    }

    /** Reads {@code history.*} and its {@code kafka.*} keys (unknown ones are logged); a bad value throws. */
    public static HistoryConfig from(Config root) {
        return new HistoryConfig(HistoryKeys.CATALOGUE.read(root));
    }

    /** {@code history.retention.max-age} / {@code max-messages}: the default retention. */
    public RetentionPolicy retention() {
        return retention;
    }

    /** Per-namespace overrides ({@code history.retention.namespaces.<ns>.*}). */
    public Map<String, RetentionPolicy> namespaceRetention() {
        return namespaceRetention;
    }

    /** The retention of {@code room}: its namespace's override, else the default. */
    public RetentionPolicy retentionFor(String room) {
        return namespaceRetention.getOrDefault(Names.namespace(room), retention);
    }

    /** {@code kafka.consumer.*}: extra consumer properties, passed through verbatim. */
    public Map<String, String> consumerProperties() {
        return settings().passthrough(HistoryKeys.CONSUMER);
    }
}
