package io.switchboard.service.config;

/**
 * Where typed values come from: a tier's {@link Settings}, or {@link #DEFAULTS}, the keys' own defaults (for
 * components that are also built without a configuration, in tests).
 */
public interface Values {
    /** Every key at its default. */
    Values DEFAULTS = new Values() {
        @Override
        public <T> T get(Key<T> key) {
            return key.defaultValue().orElseThrow(() -> new IllegalStateException(key.name() + " has no default"));
        }
    };

    /** The value of {@code key}. */
    <T> T get(Key<T> key);
}
