package io.switchboard.service.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A rule one value must follow, with the words that explain it: a failing value is reported as
 * {@code "<key>: <shown value> (expected: <expected>)"}, e.g. {@code gateway.port: 70000 (expected: 0-65535)}.
 * The factories cover the rules the tiers use; a secret is shown by its length only. Immutable, hence thread-safe.
 *
 * @param <T> the value's type
 */
public final class Check<T> {
    private static final Check<Object> ANY = new Check<>(v -> true, "", Check::quoted, List.of());

    private final Predicate<? super T> test;
    private final String expected;
    private final Function<? super T, String> shown;
    /** When not empty, this check is all of these, and a failing value is reported by the first that fails. */
    private final List<Check<? super T>> parts;

    private Check(Predicate<? super T> test, String expected, Function<? super T, String> shown,
                  List<Check<? super T>> parts) {
        this.test = Objects.requireNonNull(test, "test");
        this.expected = Objects.requireNonNull(expected, "expected");
        this.shown = Objects.requireNonNull(shown, "shown");
        this.parts = parts;
    }

    /** Accepts every value (the type's own parsing is the only rule). */
    @SuppressWarnings("unchecked") // accepts anything, whatever T is
    public static <T> Check<T> any() {
        return (Check<T>) ANY;
    }

    /** A rule described by {@code expected}; failing values are shown as written (text in quotes). */
    public static <T> Check<T> of(Predicate<? super T> test, String expected) {
        return new Check<>(test, expected, Check::quoted, List.of());
    }

    /** Whether this check accepts everything. */
    public boolean isAny() {
        return this == ANY;
    }

    /** Whether {@code value} passes. */
    public boolean test(T value) {
        return test.test(value);
    }

    /** What an acceptable value is, for messages and the key tables ({@code > PT0S}, {@code 1-1000}). */
    public String expected() {
        return expected;
    }

    /** How a value appears in messages. */
    public String shown(T value) {
        return shown.apply(value);
    }

    /** Both this and {@code other}; a failing value is reported by the first that fails. */
    public Check<T> and(Check<? super T> other) {
        List<Check<? super T>> all = List.of(this, other);
        return new Check<>(v -> all.stream().allMatch(c -> c.test.test(v)),
                all.stream().map(c -> c.expected).collect(Collectors.joining(", ")), shown, all);
    }

    /** The message for a value that failed, naming {@code key}. */
    public String message(String key, T value) {
        for (Check<? super T> part : parts) {
            if (!part.test.test(value)) {
                return part.message(key, value);
            }
        }
        return key + ": " + shown.apply(value) + " (expected: " + expected + ")";
    }

    /** A number of at least {@code min}: {@code ">= min"}. */
    public static <N extends Number> Check<N> atLeast(long min) {
        return of(n -> n.longValue() >= min, ">= " + min);
    }

    /** A number above zero: {@code "> 0"}. */
    public static <N extends Number> Check<N> positiveNumber() {
        return of(n -> n.doubleValue() > 0, "> 0");
    }

    /** A number from {@code min} to {@code max}, both included: {@code "min-max"}. */
    public static <N extends Number> Check<N> between(long min, long max) {
        return of(n -> n.longValue() >= min && n.longValue() <= max, min + "-" + max);
    }

    /** A TCP port or 0 (a free port): {@code 0-65535}. */
    public static Check<Integer> port() {
        return between(0, 65_535);
    }

    /** A TCP port, 0 (a free port) or -1 (disabled): {@code -1-65535}. */
    public static Check<Integer> portOrDisabled() {
        return between(-1, 65_535);
    }

    /** A duration above zero: {@code "> PT0S"}. */
    public static Check<Duration> positive() {
        return of(Duration::isPositive, "> PT0S");
    }

    /** A duration of zero or more: {@code ">= PT0S"}. */
    public static Check<Duration> nonNegative() {
        return of(d -> !d.isNegative(), ">= PT0S");
    }

    /** A duration from {@code min} to {@code max}, both included: {@code "PT0.03S-PT1H"}. */
    public static Check<Duration> between(Duration min, Duration max) {
        return of(d -> d.compareTo(min) >= 0 && d.compareTo(max) <= 0,
                ValueType.formatDuration(min) + "-" + ValueType.formatDuration(max));
    }

    /** A duration above zero and at most {@code max} (a bound such as what a millisecond {@code int} holds). */
    public static Check<Duration> positiveAtMost(Duration max) {
        return positive().and(of(d -> d.compareTo(max) <= 0, "<= " + ValueType.formatDuration(max)));
    }

    /** Text that matches {@code pattern}, described as {@code expected}. */
    public static Check<String> matches(String pattern, String expected) {
        Pattern compiled = Pattern.compile(pattern);
        return of(s -> compiled.matcher(s).matches(), expected);
    }

    /** A secret of at least {@code min} UTF-8 bytes; shown by its length only: {@code "5 bytes"}. */
    public static Check<String> minBytes(int min) {
        return new Check<>(s -> s.getBytes(StandardCharsets.UTF_8).length >= min, ">= " + min + " bytes",
                s -> s.getBytes(StandardCharsets.UTF_8).length + " bytes", List.of());
    }

    /** A secret of at least {@code min} characters; shown by its length only: {@code "5 characters"}. */
    public static Check<String> minLength(int min) {
        return new Check<>(s -> s.length() >= min, ">= " + min, s -> s.length() + " characters", List.of());
    }

    static String quoted(Object value) {
        return value instanceof CharSequence s ? "'" + s + "'" : ValueType.formatAny(value);
    }
}
