package io.switchboard.service.config;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A rule that spans keys, checked once every value is known (Armeria checks these in {@code build()}): for example
 * {@code gateway.limits.max-payload-bytes} must stay below {@code gateway.limits.max-frame-bytes}. A broken rule is
 * reported in the one message shape, naming its subject: {@code gateway.limits.max-payload-bytes: 200000
 * (expected: < max-frame-bytes 131072)}. Immutable, hence thread-safe.
 *
 * @param subject the key (or the name of the group of keys) the message names
 * @param problem the message when the rule is broken, empty when it holds
 */
public record Rule(String subject, Function<Settings, Optional<String>> problem) {
    public Rule {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(problem, "problem");
    }

    /**
     * A rule on {@code subject}'s value: when {@code holds} is false the message shows that value (or
     * {@code <unset>}) and {@code expected}.
     */
    public static <T> Rule of(Key<T> subject, Predicate<Settings> holds, Function<Settings, String> expected) {
        return new Rule(subject.name(), s -> holds.test(s) ? Optional.empty()
                : Optional.of(subject.name() + ": " + s.find(subject).map(v -> subject.check().shown(v))
                .orElse("<unset>") + " (expected: " + expected.apply(s) + ")"));
    }

    /** A rule on a group of keys, say {@code kafka topics}; {@code shown} gives what the message shows. */
    public static Rule of(String subject, Function<Settings, Object> shown, Predicate<Settings> holds,
                          Function<Settings, String> expected) {
        return new Rule(subject, s -> holds.test(s) ? Optional.empty()
                : Optional.of(subject + ": " + shown.apply(s) + " (expected: " + expected.apply(s) + ")"));
    }

    /** {@code smaller < larger}, both numbers: expected {@code "< <larger's last segment> <value>"}. */
    public static <A extends Number, B extends Number> Rule below(Key<A> smaller, Key<B> larger) {
        return of(smaller, s -> s.get(smaller).longValue() < s.get(larger).longValue(),
                s -> "< " + shortName(smaller, larger) + " " + s.get(larger));
    }

    /** {@code larger >= smaller}, both numbers or both durations: expected {@code ">= <smaller> <value>"}. */
    public static <T extends Comparable<? super T>> Rule atLeast(Key<T> larger, Key<T> smaller) {
        return of(larger, s -> s.get(larger).compareTo(s.get(smaller)) >= 0,
                s -> ">= " + shortName(larger, smaller) + " " + ValueType.formatAny(s.get(smaller)));
    }

    /** {@code larger >= smaller} for sizes of different widths ({@code long} against {@code int}). */
    public static <A extends Number, B extends Number> Rule atLeastSize(Key<A> larger, Key<B> smaller) {
        return of(larger, s -> s.get(larger).longValue() >= s.get(smaller).longValue(),
                s -> ">= " + shortName(larger, smaller) + " " + s.get(smaller));
    }

    /** {@code larger > smaller}, both durations: expected {@code "> <smaller> <value>"}. */
    public static <T extends Comparable<? super T>> Rule above(Key<T> larger, Key<T> smaller) {
        return of(larger, s -> s.get(larger).compareTo(s.get(smaller)) > 0,
                s -> "> " + smaller.name() + " " + ValueType.formatAny(s.get(smaller)));
    }

    /** {@code other} as named from {@code subject}: the part after their common prefix of segments. */
    static String shortName(Key<?> subject, Key<?> other) {
        String[] a = subject.name().split("\\.");
        String[] b = other.name().split("\\.");
        int common = 0;
        while (common < Math.min(a.length, b.length) - 1 && a[common].equals(b[common])) {
            common++;
        }
        return String.join(".", java.util.Arrays.copyOfRange(b, common, b.length));
    }
}
