package io.switchboard.service.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The keys one part of a tier defines, in the order its key table lists them: a tier's own keys
 * ({@code GatewayKeys}), a component's ({@code AuthzKeys}) or those every tier shares ({@code KafkaKeys}). Sections
 * are put together into a {@link KeyCatalogue}. Immutable once built, hence thread-safe.
 */
public record KeySection(String title, List<Key<?>> keys, List<PatternKey<?>> patterns,
        List<Passthrough> passthroughs, List<Rule> rules) {

    public KeySection {
        Objects.requireNonNull(title, "title");
        keys = List.copyOf(keys);
        patterns = List.copyOf(patterns);
        passthroughs = List.copyOf(passthroughs);
        rules = List.copyOf(rules);
    }

    /** A builder for the section called {@code title} in the docs. */
    public static Builder builder(String title) {
        return new Builder(title);
    }

    /**
     * Collects keys as a class's static initializer defines them (one {@code static final} constant each), then
     * {@link #build()}s the section. Used from one thread, during class initialization.
     */
    public static final class Builder {
        private final String title;
        private final List<Key<?>> keys = new ArrayList<>();
        private final List<PatternKey<?>> patterns = new ArrayList<>();
        private final List<Passthrough> passthroughs = new ArrayList<>();
        private final List<Rule> rules = new ArrayList<>();

        private Builder(String title) {
            this.title = Objects.requireNonNull(title, "title");
        }

        /** Starts the definition of key {@code name}; {@link Draft#doc(String)} finishes it. */
        public <T> Draft<T> define(String name, ValueType<T> type) {
            return new Draft<>(this, name, type);
        }

        /** Starts a family of keys with one free segment, such as {@code history.retention.namespaces.<ns>.max-age}. */
        public <T> PatternDraft<T> pattern(String name, ValueType<T> type) {
            return new PatternDraft<>(new Draft<>(this, name, type));
        }

        /** A section of properties passed through verbatim; see {@link Passthrough}. */
        public Builder passthrough(String section, Map<String, String> refused, Map<String, Check<String>> limited,
                                   String doc) {
            passthroughs.add(new Passthrough(section, refused, limited, doc));
            return this;
        }

        /** A rule spanning keys of this section. */
        public Builder rule(Rule rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /** Rules spanning keys of this section, such as those of a group of keys defined together. */
        public Builder rules(List<Rule> rules) {
            rules.forEach(this::rule);
            return this;
        }

        public KeySection build() {
            return new KeySection(title, keys, patterns, passthroughs, rules);
        }
    }

    /**
     * One key being defined: set its default, check and secrecy, then {@link #doc(String)} registers and returns it.
     * A key without a default is unset by default ({@link Settings#find(Key)} is empty).
     *
     * @param <T> the value's Java type
     */
    public static final class Draft<T> {
        private final Builder section;
        private final String name;
        private final ValueType<T> type;
        private Supplier<Optional<T>> defaultValue = Optional::empty;
        private String defaultDoc = "unset";
        private Check<T> check = Check.any();
        private boolean secret;

        private Draft(Builder section, String name, ValueType<T> type) {
            this.section = section;
            this.name = Objects.requireNonNull(name, "name");
            this.type = Objects.requireNonNull(type, "type");
        }

        /** The default value; the tables show it as a file would hold it. */
        public Draft<T> byDefault(T value) {
            Optional<T> fixed = Optional.of(value);
            this.defaultValue = () -> fixed;
            String written = type.write(value);
            this.defaultDoc = written.isEmpty() ? "empty" : "`" + written + "`";
            return this;
        }

        /** A default computed when the settings are built (a host name, say), described by {@code doc}. */
        public Draft<T> byDefault(Supplier<T> value, String doc) {
            this.defaultValue = () -> Optional.of(value.get());
            this.defaultDoc = Objects.requireNonNull(doc, "doc");
            return this;
        }

        /** What the tables say when the key has no default: what being unset means. */
        public Draft<T> unsetMeans(String doc) {
            this.defaultDoc = Objects.requireNonNull(doc, "doc");
            return this;
        }

        /** The rule values follow (beyond parsing). */
        public Draft<T> check(Check<T> check) {
            this.check = Objects.requireNonNull(check, "check");
            return this;
        }

        /** Marks the value secret: never logged, reported by its length only. */
        public Draft<T> secret() {
            this.secret = true;
            return this;
        }

        /**
         * Finishes the key with its description and adds it to the section.
         *
         * @throws IllegalArgumentException when a fixed default fails the key's own check (a definition bug)
         */
        public Key<T> doc(String doc) {
            Key<T> key = build(doc);
            key.defaultValue().ifPresent(key::validate);
            section.keys.add(key);
            return key;
        }

        private Key<T> build(String doc) {
            return new Key<>(name, type, defaultValue, defaultDoc, check, doc, secret);
        }
    }

    /**
     * A family of keys being defined ({@code <prefix>.<name>.<suffix>}); {@link #doc(String)} finishes it.
     *
     * @param <T> the value's Java type
     */
    public static final class PatternDraft<T> {
        private final Draft<T> draft;
        private Check<String> segment = Check.any();

        private PatternDraft(Draft<T> draft) {
            this.draft = draft;
        }

        /** The rule the free segment follows. */
        public PatternDraft<T> segment(Check<String> check) {
            this.segment = Objects.requireNonNull(check, "check");
            return this;
        }

        /** What the tables say a name without this key gets. */
        public PatternDraft<T> unsetMeans(String doc) {
            draft.unsetMeans(doc);
            return this;
        }

        public PatternDraft<T> check(Check<T> check) {
            draft.check(check);
            return this;
        }

        public PatternKey<T> doc(String doc) {
            PatternKey<T> key = new PatternKey<>(draft.build(doc), segment);
            draft.section.patterns.add(key);
            return key;
        }
    }
}
