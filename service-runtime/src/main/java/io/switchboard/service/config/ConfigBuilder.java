package io.switchboard.service.config;

import java.util.Objects;
import java.util.function.Function;

/**
 * Builds a tier's configuration record in code (tests, the launcher): {@code GatewayConfig.builder().set(PORT, 0)
 * .set(HS256_SECRET, secret).build()}. Each value is checked as it is set, the rules between keys when built.
 * Not thread-safe.
 *
 * @param <C> the configuration record
 */
public final class ConfigBuilder<C> {
    private final Settings.Builder settings;
    private final Function<Settings, C> make;

    ConfigBuilder(Settings.Builder settings, Function<Settings, C> make) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.make = Objects.requireNonNull(make, "make");
    }

    /** Sets {@code key}; throws {@link IllegalArgumentException} naming the key when the value fails its check. */
    public <T> ConfigBuilder<C> set(Key<T> key, T value) {
        settings.set(key, value);
        return this;
    }

    /** Sets the key of {@code name} in the family {@code key}. */
    public <T> ConfigBuilder<C> set(PatternKey<T> key, String name, T value) {
        settings.set(key, name, value);
        return this;
    }

    /** Sets any key from text, as a file would; see {@link Settings.Builder#parse(String, String)}. */
    public ConfigBuilder<C> parse(String key, String raw) {
        settings.parse(key, raw);
        return this;
    }

    /** Checks the rules between keys and makes the record. */
    public C build() {
        return make.apply(settings.build());
    }
}
