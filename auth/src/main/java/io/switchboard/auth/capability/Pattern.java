package io.switchboard.auth.capability;

import java.util.Objects;

/**
 * A room or user-id pattern: an exact name ({@code chat:42}), a prefix ending in {@code *} ({@code news:*}), or
 * {@code *} for any. The more characters a pattern fixes, the more specific it is; an exact name beats every
 * prefix. Immutable.
 *
 * @param text the pattern as written
 */
public record Pattern(String text) {
    /** Longest pattern accepted (room names are at most 128 characters). */
    public static final int MAX_LENGTH = 128;

    public Pattern {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty() || text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("pattern '" + text + "': " + text.length() + " characters (expected: 1-"
                    + MAX_LENGTH + ")");
        }
        int star = text.indexOf('*');
        if (star >= 0 && star != text.length() - 1) {
            throw new IllegalArgumentException("pattern '" + text + "': '*' is allowed only at the end (expected: a"
                    + " name, a prefix ending in '*', or '*')");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException("pattern '" + text + "': contains whitespace or a control"
                        + " character");
            }
        }
    }

    /** Whether this pattern ends in {@code *}. */
    public boolean isPrefix() {
        return text.endsWith("*");
    }

    /** Whether {@code name} is this name, or starts with this prefix; allocates nothing (it runs per publish). */
    public boolean matches(String name) {
        int fixed = text.length() - 1;
        return text.charAt(fixed) == '*' ? name.regionMatches(0, text, 0, fixed) : name.equals(text);
    }

    /** Higher is more specific: an exact name is {@link Integer#MAX_VALUE}, a prefix the characters it fixes. */
    public int specificity() {
        return isPrefix() ? text.length() - 1 : Integer.MAX_VALUE;
    }
}
