package io.switchboard.service.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Every key one tier reads: its own sections and the shared keys it takes part in, plus the rules between them.
 * From it come the tier's reader ({@link #read(Config)}), its programmatic builder ({@link #builder()}), the
 * unknown-key report and the key tables of {@code docs/configuration.md}. Immutable, hence thread-safe.
 */
public final class KeyCatalogue {
    private static final System.Logger LOG = System.getLogger(KeyCatalogue.class.getName());

    private final String root;
    private final List<KeySection> sections;
    private final Map<String, Key<?>> keys;
    private final List<PatternKey<?>> patterns;
    private final List<Passthrough> passthroughs;
    private final List<Rule> rules;
    private final Map<String, Predicate<String>> otherRoots;

    private KeyCatalogue(Builder b) {
        this.root = b.root;
        this.sections = List.copyOf(b.sections);
        Map<String, Key<?>> all = new LinkedHashMap<>();
        List<PatternKey<?>> families = new ArrayList<>();
        List<Passthrough> sections = new ArrayList<>();
        List<Rule> allRules = new ArrayList<>();
        for (KeySection section : b.sections) {
            section.keys().forEach(key -> {
                if (all.putIfAbsent(key.name(), key) != null) {
                    throw new IllegalArgumentException(key.name() + " (expected: defined once)");
                }
            });
            families.addAll(section.patterns());
            sections.addAll(section.passthroughs());
            allRules.addAll(section.rules());
        }
        b.shared.forEach(key -> all.putIfAbsent(key.name(), key));
        sections.addAll(b.sharedPassthroughs);
        allRules.addAll(b.rules);
        this.keys = java.util.Collections.unmodifiableMap(all);
        this.patterns = List.copyOf(families);
        this.passthroughs = List.copyOf(sections);
        this.rules = List.copyOf(allRules);
        this.otherRoots = Map.copyOf(b.otherRoots);
    }

    /** A catalogue for the tier whose keys sit under {@code root} ({@code gateway}, {@code router}...). */
    public static Builder builder(String root) {
        return new Builder(root);
    }

    /** The tier's root. */
    public String root() {
        return root;
    }

    /** The tier's own sections, in table order. */
    public List<KeySection> sections() {
        return sections;
    }

    /** Every plain key, own and shared. */
    public Collection<Key<?>> keys() {
        return keys.values();
    }

    public List<PatternKey<?>> patterns() {
        return patterns;
    }

    public List<Passthrough> passthroughs() {
        return passthroughs;
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The plain key called {@code name}. */
    public Optional<Key<?>> key(String name) {
        return Optional.ofNullable(keys.get(name));
    }

    /** Whether the tier reads {@code key}. */
    public boolean contains(Key<?> key) {
        return keys.get(key.name()) == key;
    }

    /** A builder of settings in code (tests, the launcher): every value checked as set. */
    public Settings.Builder builder() {
        return new Settings.Builder(this);
    }

    /** A builder of the tier's configuration record {@code C}, made from the settings by {@code make}. */
    public <C> ConfigBuilder<C> builder(Function<Settings, C> make) {
        return new ConfigBuilder<>(builder(), make);
    }

    /**
     * Reads every key of the catalogue from a config tree (absent and blank values take their defaults), logs
     * the keys under the tier's roots that the catalogue does not know, and checks the rules.
     *
     * @throws IllegalArgumentException naming the key when a value is malformed, out of range or breaks a rule
     */
    public Settings read(Config config) {
        unknownKeys(config).forEach(key -> LOG.log(Level.WARNING, "unknown config key " + key + " (ignored)"));
        return readValues(config).build();
    }

    /**
     * Reads and checks every value of the catalogue found in {@code config}, without the rules that span keys (a
     * file may hold only part of a tier's configuration).
     *
     * @throws IllegalArgumentException naming the key when a value is malformed or out of range
     */
    public Settings.Builder readValues(Config config) {
        Settings.Builder b = builder();
        for (Key<?> key : keys.values()) {
            text(config.get(key.name()), key.type().isList(), key.type().expected()).ifPresent(v -> b.parse(key.name(), v));
        }
        for (PatternKey<?> family : patterns) {
            // By leaf, not by child node: a name may contain dots. List entries (verbs.0, verbs.1) are joined.
            Map<String, List<String>> byName = new LinkedHashMap<>();
            leaves(config.get(family.prefix())).forEach((relative, value) -> family
                    .segmentOf(family.prefix() + "." + relative)
                    .ifPresent(name -> byName.computeIfAbsent(name, n -> new ArrayList<>()).add(value)));
            byName.forEach((name, values) -> {
                String joined = String.join(",", values).strip();
                if (!joined.isEmpty()) {
                    b.parse(family.keyFor(name), joined);
                }
            });
        }
        for (Passthrough section : passthroughs) {
            leaves(config.get(section.section())).forEach((property, value) -> b.parse(section.section() + "."
                    + property, value));
        }
        return b;
    }

    /** Full keys (sorted) under the tier's roots that the catalogue does not know. */
    public List<String> unknownKeys(Config config) {
        Map<String, Predicate<String>> roots = new LinkedHashMap<>(otherRoots);
        roots.put(root, key -> false);
        return roots.entrySet().stream()
                .flatMap(e -> leaves(config.get(e.getKey())).keySet().stream()
                        .map(relative -> e.getKey() + "." + relative)
                        .filter(key -> !knows(key) && !e.getValue().test(key)))
                .sorted()
                .toList();
    }

    /** Whether {@code fullKey} is one this catalogue reads (list entries {@code key.0} included). */
    public boolean knows(String fullKey) {
        Key<?> key = keys.get(fullKey);
        if (key != null) {
            return true;
        }
        int dot = fullKey.lastIndexOf('.');
        if (dot > 0 && fullKey.substring(dot + 1).chars().allMatch(Character::isDigit)) {
            Key<?> list = keys.get(fullKey.substring(0, dot));
            if (list != null && list.type().isList()) {
                return true;
            }
        }
        return patterns.stream().anyMatch(p -> p.segmentOf(fullKey).isPresent())
                || passthroughs.stream().anyMatch(p -> fullKey.startsWith(p.section() + "."));
    }

    void require(Key<?> key) {
        if (!contains(key)) {
            throw new IllegalArgumentException(key.name() + " (expected: a key of the " + root + " catalogue)");
        }
    }

    void require(PatternKey<?> key) {
        if (!patterns.contains(key)) {
            throw new IllegalArgumentException(key.name() + " (expected: a key of the " + root + " catalogue)");
        }
    }

    /**
     * The text of a value node: empty when absent or blank. A list node gives its entries joined by commas; when a
     * higher source sets a list key to one comma-separated value over a lower source's list, Helidon keeps both
     * in one node and its own value is the one the operator set, so that value wins.
     */
    private static Optional<String> text(Config node, boolean list, String expected) {
        if (!node.exists()) {
            return Optional.empty();
        }
        try {
            Optional<String> own = node.asString().asOptional();
            if (own.isEmpty() && list) {
                own = Optional.of(String.join(",", node.asList(String.class).get()));
            }
            return own.map(String::strip).filter(s -> !s.isEmpty());
        } catch (ConfigException e) {
            throw new IllegalArgumentException(node.key() + ": (expected: " + expected + ")", e);
        }
    }

    /** Every value under {@code parent}, keyed relative to it: under {@code kafka.producer}, {@code batch.size}. */
    static Map<String, String> leaves(Config parent) {
        String prefix = parent.key().toString() + ".";
        Map<String, String> leaves = new LinkedHashMap<>();
        parent.traverse().filter(Config::hasValue)
                .forEach(node -> leaves.put(node.key().toString().substring(prefix.length()), node.asString().get()));
        return leaves;
    }

    /** Puts sections together. Not thread-safe. */
    public static final class Builder {
        private final String root;
        private final List<KeySection> sections = new ArrayList<>();
        private final List<Key<?>> shared = new ArrayList<>();
        private final List<Passthrough> sharedPassthroughs = new ArrayList<>();
        private final List<Rule> rules = new ArrayList<>();
        private final Map<String, Predicate<String>> otherRoots = new LinkedHashMap<>();

        private Builder(String root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /** Adds a section of the tier's own keys. */
        public Builder section(KeySection section) {
            sections.add(Objects.requireNonNull(section, "section"));
            return this;
        }

        /** Adds keys defined elsewhere (the shared {@code kafka.*} ones) that the tier reads too. */
        public Builder shared(Key<?>... keys) {
            shared.addAll(List.of(keys));
            return this;
        }

        /** Adds a passthrough section under a shared root (the tier's {@code kafka.producer.*}). */
        public Builder passthrough(String section, Map<String, String> refused, Map<String, Check<String>> limited,
                                   String doc) {
            sharedPassthroughs.add(new Passthrough(section, refused, limited, doc));
            return this;
        }

        /** Adds a rule spanning keys of different sections. */
        public Builder rule(Rule rule) {
            rules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /**
         * Also reports unknown keys under another root ({@code kafka}), knowing there what {@code known} accepts
         * besides the keys of this catalogue.
         */
        public Builder checkRoot(String otherRoot, Predicate<String> known) {
            otherRoots.put(otherRoot, Objects.requireNonNull(known, "known"));
            return this;
        }

        /** @throws IllegalArgumentException when two sections define the same key */
        public KeyCatalogue build() {
            KeyCatalogue catalogue = new KeyCatalogue(this);
            Set<String> seen = new HashSet<>();
            Stream.concat(catalogue.keys().stream().map(Key::name), catalogue.patterns.stream().map(PatternKey::name))
                    .filter(name -> !seen.add(name)).findFirst().ifPresent(name -> {
                        throw new IllegalArgumentException(name + " (expected: defined once)");
                    });
            return catalogue;
        }
    }
}
