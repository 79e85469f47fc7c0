package io.switchboard.service.config;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One configuration key, defined once in its tier's catalogue: its full name ({@code gateway.limits.max-frame-bytes}),
 * its type, its default, the rule its values follow and the sentence that documents it. Code reads the value with
 * {@link Settings#get(Key)}; the readers, the key tables of {@code docs/configuration.md} and the unknown-key check
 * all come from the same definition. Create keys with {@link KeySection.Builder#define}. Immutable, hence
 * thread-safe.
 *
 * @param <T> the value's Java type
 */
public final class Key<T> {
    private final String name;
    private final ValueType<T> type;
    private final Supplier<Optional<T>> defaultValue;
    private final String defaultDoc;
    private final Check<T> check;
    private final String doc;
    private final boolean secret;

    Key(String name, ValueType<T> type, Supplier<Optional<T>> defaultValue, String defaultDoc, Check<T> check,
        String doc, boolean secret) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
        this.defaultDoc = Objects.requireNonNull(defaultDoc, "defaultDoc");
        this.check = Objects.requireNonNull(check, "check");
        this.doc = Objects.requireNonNull(doc, "doc");
        this.secret = secret;
    }

    /** The full key, e.g. {@code gateway.port}. */
    public String name() {
        return name;
    }

    public ValueType<T> type() {
        return type;
    }

    /** The value used when no source sets the key; empty for keys that are unset by default. */
    public Optional<T> defaultValue() {
        return defaultValue.get();
    }

    /** The default as the key tables show it. */
    public String defaultDoc() {
        return defaultDoc;
    }

    public Check<T> check() {
        return check;
    }

    /** The key's description in the key tables. */
    public String doc() {
        return doc;
    }

    /** Whether the value is a secret: never logged, and a failing value is reported by its length only. */
    public boolean secret() {
        return secret;
    }

    /** The environment variable that sets this key: upper case, {@code .} as {@code _}, {@code -} as {@code _dash_}. */
    public String environmentVariable() {
        return environmentVariable(name);
    }

    static String environmentVariable(String key) {
        StringBuilder env = new StringBuilder();
        for (char c : key.toCharArray()) {
            switch (c) {
                case '.' -> env.append('_');
                case '-' -> env.append("_dash_");
                default -> env.append(Character.toUpperCase(c));
            }
        }
        return env.toString();
    }

    /**
     * Parses {@code raw} and checks it.
     *
     * @throws IllegalArgumentException {@code "<key>: '<raw>' (expected: <type>)"} when malformed, or the check's
     *                                  message when out of range
     */
    public T parse(String raw) {
        return validate(read(raw));
    }

    private T read(String raw) {
        try {
            return type.parse(raw);
        } catch (ValueType.Malformed e) {
            throw new IllegalArgumentException(name + ": '" + e.raw + "' (expected: " + e.expected + ")", e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": '" + (secret ? "<secret>" : raw) + "' (expected: "
                    + type.expected() + ")", e);
        }
    }

    /**
     * Returns {@code value} when it passes the key's check.
     *
     * @throws IllegalArgumentException {@code "<key>: <value> (expected: <rule>)"} otherwise
     */
    public T validate(T value) {
        Objects.requireNonNull(value, name);
        // A value set in code must also be one a file could hold: a host:port typed as a string, say.
        read(type.write(value));
        if (!check.test(value)) {
            throw new IllegalArgumentException(check.message(name, value));
        }
        return value;
    }

    @Override
    public String toString() {
        return name;
    }
}
