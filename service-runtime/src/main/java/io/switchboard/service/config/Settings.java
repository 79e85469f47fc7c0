package io.switchboard.service.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The values of one tier's keys, every one checked and every rule between them held: what a tier's configuration
 * record is made from. A key no source set has its default. Immutable, hence thread-safe.
 */
public final class Settings implements Values {
    private final KeyCatalogue catalogue;
    private final Map<String, Object> values;
    private final Map<String, Map<String, Object>> patterns;
    private final Map<String, Map<String, String>> passthrough;

    private Settings(Builder b) {
        this.catalogue = b.catalogue;
        Map<String, Object> all = new LinkedHashMap<>();
        for (Key<?> key : catalogue.keys()) {
            Object value = b.values.containsKey(key.name()) ? b.values.get(key.name()) : key.defaultValue().orElse(null);
            if (value != null) {
                all.put(key.name(), value);
            }
        }
        this.values = Collections.unmodifiableMap(all);
        Map<String, Map<String, Object>> p = new LinkedHashMap<>();
        b.patterns.forEach((name, byName) -> p.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(byName))));
        this.patterns = Collections.unmodifiableMap(p);
        Map<String, Map<String, String>> t = new LinkedHashMap<>();
        b.passthrough.forEach((section, props) -> t.put(section,
                Collections.unmodifiableMap(new LinkedHashMap<>(props))));
        this.passthrough = Collections.unmodifiableMap(t);
    }

    /**
     * The value of {@code key}: the one set, else its default.
     *
     * @throws IllegalStateException when the key is unset and has no default (use {@link #find(Key)})
     */
    @Override
    public <T> T get(Key<T> key) {
        return find(key).orElseThrow(() -> new IllegalStateException(key.name() + " is unset and has no default"));
    }

    /** The value of {@code key}, empty when unset without a default. */
    @SuppressWarnings("unchecked") // values are stored under their key after the key's own parse or check
    public <T> Optional<T> find(Key<T> key) {
        catalogue.require(key);
        return Optional.ofNullable((T) values.get(key.name()));
    }

    /** The values of a family of keys by the name in their free segment, in the order read. */
    @SuppressWarnings("unchecked") // as in find
    public <T> Map<String, T> byName(PatternKey<T> key) {
        return (Map<String, T>) patterns.getOrDefault(key.name(), Map.of());
    }

    /** The properties set under a passthrough section ({@code kafka.producer}), keyed relative to it. */
    public Map<String, String> passthrough(String section) {
        return passthrough.getOrDefault(section, Map.of());
    }

    /** The catalogue these settings follow. */
    public KeyCatalogue catalogue() {
        return catalogue;
    }

    /** Every value as {@code key=value}; secrets as {@code <secret>}, passthrough sections by their keys only. */
    @Override
    public String toString() {
        String keys = catalogue.keys().stream().filter(k -> values.containsKey(k.name()))
                .map(k -> k.name() + "=" + (k.secret() ? "<secret>" : values.get(k.name())))
                .collect(Collectors.joining(", "));
        return "{" + keys + (patterns.isEmpty() ? "" : ", " + patterns) + passthrough.entrySet().stream()
                .map(e -> ", " + e.getKey() + ".*=" + e.getValue().keySet()).collect(Collectors.joining()) + "}";
    }

    /**
     * Values being collected from files or code. Each value is checked as it is set; {@link #build()} fills in
     * defaults and checks the rules that span keys. Not thread-safe.
     */
    public static final class Builder {
        private final KeyCatalogue catalogue;
        private final Map<String, Object> values = new LinkedHashMap<>();
        private final Map<String, Map<String, Object>> patterns = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> passthrough = new LinkedHashMap<>();

        Builder(KeyCatalogue catalogue) {
            this.catalogue = catalogue;
        }

        /**
         * Sets {@code key}.
         *
         * @throws IllegalArgumentException naming the key when the value fails its check
         */
        public <T> Builder set(Key<T> key, T value) {
            catalogue.require(key);
            values.put(key.name(), key.validate(value));
            return this;
        }

        /** Sets the key of {@code name} in the family {@code key}. */
        public <T> Builder set(PatternKey<T> key, String name, T value) {
            catalogue.require(key);
            patterns.computeIfAbsent(key.name(), k -> new LinkedHashMap<>()).put(name, key.validate(name, value));
            return this;
        }

        /**
         * Sets any key of the catalogue from text, as a file or an environment variable would: a plain key, a key
         * of a family ({@code history.retention.namespaces.chat.max-age}) or a passthrough property
         * ({@code kafka.producer.compression.type}).
         *
         * @throws IllegalArgumentException naming the key when it is unknown or the value is malformed
         */
        public Builder parse(String name, String raw) {
            Objects.requireNonNull(raw, name);
            Optional<Key<?>> key = catalogue.key(name);
            if (key.isPresent()) {
                values.put(name, key.get().parse(raw));
                return this;
            }
            for (PatternKey<?> pattern : catalogue.patterns()) {
                Optional<String> segment = pattern.segmentOf(name);
                if (segment.isPresent()) {
                    patterns.computeIfAbsent(pattern.name(), k -> new LinkedHashMap<>())
                            .put(segment.get(), pattern.parse(segment.get(), raw));
                    return this;
                }
            }
            for (Passthrough section : catalogue.passthroughs()) {
                if (name.startsWith(section.section() + ".")) {
                    String property = name.substring(section.section().length() + 1);
                    passthrough.computeIfAbsent(section.section(), k -> new LinkedHashMap<>())
                            .put(property, section.validate(property, raw));
                    return this;
                }
            }
            throw new IllegalArgumentException(name + ": '" + raw + "' (expected: a key of the catalogue)");
        }

        /**
         * Fills in defaults and checks the rules that span keys.
         *
         * @throws IllegalArgumentException with the first broken rule's message
         */
        public Settings build() {
            Settings settings = new Settings(this);
            for (Rule rule : catalogue.rules()) {
                rule.problem().apply(settings).ifPresent(problem -> {
                    throw new IllegalArgumentException(problem);
                });
            }
            return settings;
        }
    }
}
