package io.switchboard.service.config;

import java.util.Optional;

/**
 * What every tier's configuration class shares: the checked values of its catalogue's keys, read with
 * {@link #get(Key)} or, for keys unset by default, {@link #find(Key)}. Subclasses add the records made of the values
 * (a topic's settings, a key set, retention policies) and the static {@code builder()}, {@code from(Config)} and
 * {@code load(file)} of their tier. Immutable, hence thread-safe.
 */
public abstract class TierConfig implements Values {
    private final Settings settings;

    protected TierConfig(Settings settings) {
        this.settings = settings;
    }

    /** The value of {@code key}: one of the tier's catalogue, or a shared key the tier reads. */
    @Override
    public final <T> T get(Key<T> key) {
        return settings.get(key);
    }

    /** The value of a key that is unset by default (an optional address, a data directory). */
    public final <T> Optional<T> find(Key<T> key) {
        return settings.find(key);
    }

    /** Every value. */
    public final Settings settings() {
        return settings;
    }

    /** Every value; secrets masked, passthrough properties by name only (they may hold credentials). */
    @Override
    public String toString() {
        return getClass().getSimpleName() + settings;
    }
}
