package io.switchboard.auth.capability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code rooms} claim: room patterns with the verbs they grant, e.g.
 * {@code {"chat:42":["subscribe","publish"],"news:*":["subscribe","history"]}}. For a room, the most specific
 * matching pattern decides (an exact name, then the longest prefix, then {@code *}); patterns do not add up.
 * Immutable.
 */
public final class RoomGrants {
    /** Most patterns one claim may hold: bounds the work of each decision. */
    public static final int MAX_PATTERNS = 256;
    static final String CLAIM = "rooms";

    /** Most specific first. */
    private final List<Map.Entry<Pattern, Set<Verb>>> grants;

    private RoomGrants(List<Map.Entry<Pattern, Set<Verb>>> grants) {
        this.grants = grants;
    }

    /**
     * Reads the claim's JSON value (as nimbus hands it over: a {@code Map} of {@code List}s of strings).
     *
     * @throws CapabilityException naming the claim, the pattern and what was expected
     */
    public static RoomGrants parse(Object claim) throws CapabilityException {
        if (!(claim instanceof Map<?, ?> map)) {
            throw new CapabilityException("claim 'rooms': " + typeOf(claim) + " (expected: an object of room"
                    + " patterns to lists of verbs)");
        }
        if (map.size() > MAX_PATTERNS) {
            throw new CapabilityException("claim 'rooms': " + map.size() + " patterns (expected: <= " + MAX_PATTERNS
                    + ")");
        }
        List<Map.Entry<Pattern, Set<Verb>>> grants = new ArrayList<>(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            Pattern pattern;
            try {
                pattern = new Pattern(key);
            } catch (IllegalArgumentException ex) {
                throw new CapabilityException("claim 'rooms': " + ex.getMessage());
            }
            grants.add(Map.entry(pattern, verbs(key, e.getValue())));
        }
        grants.sort(Comparator.comparingInt((Map.Entry<Pattern, Set<Verb>> g) -> g.getKey().specificity()).reversed());
        return new RoomGrants(Collections.unmodifiableList(grants));
    }

    private static Set<Verb> verbs(String pattern, Object value) throws CapabilityException {
        if (!(value instanceof List<?> list)) {
            throw new CapabilityException("claim 'rooms': '" + pattern + "': " + typeOf(value) + " (expected: a list"
                    + " of verbs)");
        }
        Set<Verb> verbs = EnumSet.noneOf(Verb.class);
        for (Object item : list) {
            Optional<Verb> verb = item instanceof String s ? Verb.of(s) : Optional.empty();
            if (verb.isEmpty()) {
                throw new CapabilityException("claim 'rooms': '" + pattern + "': unknown verb " + quoted(item)
                        + " (expected: subscribe, publish, history, presence, ephemeral)");
            }
            verbs.add(verb.get());
        }
        return Collections.unmodifiableSet(verbs);
    }

    /** The verbs of the most specific pattern matching {@code room}, or empty when no pattern matches. */
    public Optional<Set<Verb>> verbs(String room) {
        for (Map.Entry<Pattern, Set<Verb>> grant : grants) {
            if (grant.getKey().matches(room)) {
                return Optional.of(grant.getValue());
            }
        }
        return Optional.empty();
    }

    /** The patterns, most specific first. */
    public List<Pattern> patterns() {
        return grants.stream().map(Map.Entry::getKey).toList();
    }

    static String typeOf(Object value) {
        return value == null ? "null" : value instanceof String ? "a string" : value instanceof Number ? "a number"
                : value instanceof Boolean ? "a boolean" : value instanceof List ? "a list"
                : value instanceof Map ? "an object" : value.getClass().getSimpleName();
    }

    private static String quoted(Object item) {
        return item instanceof String s ? "'" + s + "'" : typeOf(item);
    }

    @Override
    public String toString() {
        return "RoomGrants" + grants;
    }
}
