package io.switchboard.service.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one kind of config value is written: its name in the docs ({@code duration}), what a malformed value is told
 * it should be ({@code an ISO-8601 duration such as PT30S}), the parser and the formatter that writes defaults
 * back. Immutable, hence thread-safe.
 *
 * @param name     the type's name in the key tables
 * @param expected the text after {@code expected:} when a value does not parse
 * @param parser   parses a stripped, non-empty value; throws {@link IllegalArgumentException} (or a subclass such as
 *                 {@link NumberFormatException}) or {@link java.time.format.DateTimeParseException} when malformed
 * @param format   writes a value the way a file would hold it
 * @param <T>      the Java type of the value
 */
public record ValueType<T>(String name, String expected, Function<String, T> parser, Function<T, String> format) {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(KiB|MiB|GiB)?");

    /** Text, stripped. */
    public static final ValueType<String> STRING = new ValueType<>("string", "a string", s -> s, s -> s);
    /** A 32-bit integer. */
    public static final ValueType<Integer> INT = new ValueType<>("integer", "an integer", Integer::valueOf,
            String::valueOf);
    /** A 64-bit integer. */
    public static final ValueType<Long> LONG = new ValueType<>("integer", "an integer", Long::valueOf, String::valueOf);
    /** A number with a fraction. */
    public static final ValueType<Float> FLOAT = new ValueType<>("number", "a number", Float::valueOf,
            ValueType::formatFloat);
    /** {@code true} or {@code false}, in any case. */
    public static final ValueType<Boolean> BOOLEAN = new ValueType<>("boolean", "true or false", ValueType::parseBoolean,
            String::valueOf);
    /** An ISO-8601 duration: {@code PT30S}, {@code PT0.5S}, {@code P7D}. */
    public static final ValueType<Duration> DURATION = new ValueType<>("duration",
            "an ISO-8601 duration such as PT30S", Duration::parse, ValueType::formatDuration);
    /** A size in bytes as an {@code int}: {@code 65536}, or with a binary unit, {@code 64KiB}, {@code 1MiB}. */
    public static final ValueType<Integer> BYTES = new ValueType<>("bytes",
            "a size in bytes such as 65536 or 64KiB", s -> Math.toIntExact(parseSize(s)), String::valueOf);
    /** A size in bytes as a {@code long}: {@code 1048576}, {@code 1MiB}, {@code 2GiB}. */
    public static final ValueType<Long> BYTES_LONG = new ValueType<>("bytes",
            "a size in bytes such as 1048576 or 1MiB", ValueType::parseSize, String::valueOf);
    /** A file system path. */
    public static final ValueType<Path> PATH = new ValueType<>("path", "a path", Path::of, Path::toString);
    /** A URI such as {@code https://auth.example.com/jwks.json}. */
    public static final ValueType<URI> URL = new ValueType<>("URL", "a URL", ValueType::parseUri, URI::toString);
    /** {@code host:port}, IPv6 literals in brackets; the port 1-65535. Kept as written (stripped). */
    public static final ValueType<String> HOST_PORT = new ValueType<>("host:port", "host:port",
            ValueType::parseHostPort, s -> s);

    public ValueType {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(format, "format");
    }

    /** One of the given words, exactly as written. */
    public static ValueType<String> oneOf(String... words) {
        List<String> allowed = List.of(words);
        String expected = String.join(" or ", allowed);
        return new ValueType<>("one of " + String.join(", ", allowed), expected, s -> {
            if (!allowed.contains(s)) {
                throw new IllegalArgumentException(s);
            }
            return s;
        }, s -> s);
    }

    /**
     * A list of {@code element} values: a YAML list, or one comma-separated value (the form an environment
     * variable carries). Blank entries are dropped.
     */
    public static <E> ValueType<List<E>> listOf(ValueType<E> element) {
        return new ValueType<>("list of " + element.name(), "a comma-separated list of " + element.expected(),
                s -> Arrays.stream(s.split(",")).map(String::strip).filter(e -> !e.isEmpty())
                        .map(e -> parseElement(element, e)).toList(),
                list -> String.join(",", list.stream().map(element::write).toList()));
    }

    /** Whether values of this type are lists (read from YAML lists as well as comma-separated text). */
    public boolean isList() {
        return name.startsWith("list of ");
    }

    /** Parses a raw value (stripped first). */
    public T parse(String raw) {
        return parser.apply(raw.strip());
    }

    /** Writes {@code value} as a file would hold it. */
    public String write(T value) {
        return format.apply(value);
    }

    private static <E> E parseElement(ValueType<E> element, String raw) {
        try {
            return element.parse(raw);
        } catch (RuntimeException e) {
            throw new Malformed(raw, element.expected(), e);
        }
    }

    /** One malformed part of a value (an entry of a list): the message names the part, not the whole value. */
    static final class Malformed extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final String raw;
        final String expected;

        Malformed(String raw, String expected, Throwable cause) {
            super(raw + " (expected: " + expected + ")", cause);
            this.raw = raw;
            this.expected = expected;
        }
    }

    private static Boolean parseBoolean(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(s);
        };
    }

    private static long parseSize(String s) {
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw new NumberFormatException(s);
        }
        long n = Long.parseLong(m.group(1));
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            default -> 30;
        };
        if (n > Long.MAX_VALUE >> shift) {
            throw new NumberFormatException(s);
        }
        return n << shift;
    }

    private static URI parseUri(String s) {
        try {
            return new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static String parseHostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1 || s.substring(0, colon).isBlank()) {
            throw new IllegalArgumentException(s);
        }
        String port = s.substring(colon + 1);
        if (port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(s);
        }
        int p = Integer.parseInt(port);
        if (p < 1 || p > 65_535) {
            throw new IllegalArgumentException(s);
        }
        return s;
    }

    private static String formatFloat(Float f) {
        return f == Math.rint(f) ? String.valueOf(f.longValue()) : String.valueOf(f);
    }

    /** A value as messages show it: durations as {@link #formatDuration}, anything else by {@code toString}. */
    static String formatAny(Object value) {
        return value instanceof Duration d ? formatDuration(d) : String.valueOf(value);
    }

    /** {@code P7D} for whole days (where {@link Duration#toString()} says {@code PT168H}), else ISO-8601. */
    static String formatDuration(Duration d) {
        if (!d.isZero() && d.toSeconds() % 86_400 == 0 && d.toNanosPart() == 0) {
            return "P" + d.toDays() + "D";
        }
        return d.toString();
    }
}
