package io.switchboard.auth.capability;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code direct} claim: user-id patterns the holder may send direct messages to, e.g. {@code ["support-*"]},
 * {@code ["*"]} for anyone, {@code []} for no one. Immutable.
 */
public final class DirectGrants {
    public static final int MAX_PATTERNS = 256;

    private final List<Pattern> patterns;

    private DirectGrants(List<Pattern> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /** Everyone may be messaged. */
    public static final DirectGrants ANYONE = new DirectGrants(List.of(new Pattern("*")));
    /** No one may be messaged. */
    public static final DirectGrants NO_ONE = new DirectGrants(List.of());

    /** @throws CapabilityException naming the claim and what was expected */
    public static DirectGrants parse(Object claim) throws CapabilityException {
        if (!(claim instanceof List<?> list)) {
            throw new CapabilityException("claim 'direct': " + RoomGrants.typeOf(claim) + " (expected: a list of"
                    + " user-id patterns)");
        }
        if (list.size() > MAX_PATTERNS) {
            throw new CapabilityException("claim 'direct': " + list.size() + " patterns (expected: <= "
                    + MAX_PATTERNS + ")");
        }
        List<Pattern> patterns = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String s)) {
                throw new CapabilityException("claim 'direct': " + RoomGrants.typeOf(item) + " (expected: user-id"
                        + " patterns as strings)");
            }
            try {
                patterns.add(new Pattern(s));
            } catch (IllegalArgumentException e) {
                throw new CapabilityException("claim 'direct': " + e.getMessage());
            }
        }
        return new DirectGrants(patterns);
    }

    /** Whether {@code userId} matches one of the patterns. */
    public boolean allows(String userId) {
        for (Pattern p : patterns) {
            if (p.matches(userId)) {
                return true;
            }
        }
        return false;
    }

    public List<Pattern> patterns() {
        return patterns;
    }

    @Override
    public String toString() {
        return "DirectGrants" + patterns;
    }
}
