package io.switchboard.service.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A family of keys with one free segment, such as {@code history.retention.namespaces.<ns>.max-age}: one value per
 * name given in the segment. Read with {@link Settings#byName(PatternKey)}. Create with
 * {@link KeySection.Builder#pattern}. Immutable, hence thread-safe.
 *
 * @param <T> the value's Java type
 */
public final class PatternKey<T> {
    private final String name;
    private final String prefix;
    private final String suffix;
    private final Key<T> template;
    private final Check<String> segmentCheck;

    PatternKey(Key<T> template, Check<String> segmentCheck) {
        this.template = Objects.requireNonNull(template, "template");
        this.segmentCheck = Objects.requireNonNull(segmentCheck, "segmentCheck");
        this.name = template.name();
        int open = name.indexOf(".<");
        int close = name.indexOf(">.", open);
        if (open < 0 || close < 0) {
            throw new IllegalArgumentException(name + " (expected: one .<segment>. in the name)");
        }
        this.prefix = name.substring(0, open);
        this.suffix = name.substring(close + 2);
    }

    /** The name with its placeholder, e.g. {@code history.retention.namespaces.<ns>.max-age}. */
    public String name() {
        return name;
    }

    /** The node the names sit under, e.g. {@code history.retention.namespaces}. */
    public String prefix() {
        return prefix;
    }

    /** The key below each name, e.g. {@code max-age}. */
    public String suffix() {
        return suffix;
    }

    /** Type, default text, check and doc, as one key. */
    public Key<T> template() {
        return template;
    }

    /** The full key for the name {@code segment}. */
    public String keyFor(String segment) {
        return prefix + "." + segment + "." + suffix;
    }

    /**
     * The name in {@code fullKey} when it is one of this family's keys (a list value's entries {@code .0}, {@code .1}
     * included). A name may contain dots ({@code big.room}): the family's suffix ends the key.
     */
    public Optional<String> segmentOf(String fullKey) {
        if (!fullKey.startsWith(prefix + ".")) {
            return Optional.empty();
        }
        String rest = fullKey.substring(prefix.length() + 1);
        int dot = rest.lastIndexOf('.');
        if (template.type().isList() && dot > 0 && rest.substring(dot + 1).chars().allMatch(Character::isDigit)) {
            rest = rest.substring(0, dot);
        }
        String tail = "." + suffix;
        return rest.endsWith(tail) && rest.length() > tail.length()
                ? Optional.of(rest.substring(0, rest.length() - tail.length())) : Optional.empty();
    }

    /** Parses and checks the value of {@code segment}'s key; the segment itself must pass the segment check. */
    T parse(String segment, String raw) {
        checkSegment(segment);
        return withName(segment).parse(raw);
    }

    /** Checks a value set in code for {@code segment}. */
    T validate(String segment, T value) {
        checkSegment(segment);
        return withName(segment).validate(value);
    }

    private void checkSegment(String segment) {
        if (!segmentCheck.test(segment)) {
            throw new IllegalArgumentException(segmentCheck.message(prefix, segment));
        }
    }

    private Key<T> withName(String segment) {
        return new Key<>(keyFor(segment), template.type(), template::defaultValue, template.defaultDoc(),
                template.check(), template.doc(), template.secret());
    }

    @Override
    public String toString() {
        return name;
    }
}
