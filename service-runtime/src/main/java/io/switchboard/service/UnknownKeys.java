package io.switchboard.service;

import io.helidon.config.Config;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.Predicate;

/**
 * Finds and reports the values under a tier's config root ({@code router}, {@code presence}...) that the tier
 * does not know: a misspelt key is logged, never silently ignored. Stateless, hence thread-safe.
 */
public final class UnknownKeys {
    private UnknownKeys() {
    }

    /** Full keys ({@code <root>.<key>}, sorted) of the values under {@code root} for which {@code known} is false. */
    public static List<String> find(Config config, String root, Predicate<String> known) {
        return ConfigValues.leaves(config.get(root)).keySet().stream()
                .filter(known.negate())
                .map(key -> root + "." + key)
                .sorted()
                .toList();
    }

    /** Logs each key as a warning on {@code log}: {@code unknown config key <key> (ignored)}. */
    public static void warn(System.Logger log, List<String> keys) {
        keys.forEach(key -> log.log(Level.WARNING, "unknown config key " + key + " (ignored)"));
    }
}
