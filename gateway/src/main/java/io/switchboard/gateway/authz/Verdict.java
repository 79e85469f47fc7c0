package io.switchboard.gateway.authz;

import java.util.Locale;
import java.util.Objects;

/**
 * The answer for one (room, verb) of one connection. Immutable.
 *
 * @param allowed whether the action may go ahead
 * @param source  what decided
 * @param reason  for a denial, the text for the client's PERMISSION_DENIED error; empty when allowed
 */
public record Verdict(boolean allowed, Source source, String reason) {
    /** What decided a verdict (also the {@code source} label of the decision metric). */
    public enum Source {
        TOKEN, POLICY, BACKEND, BACKEND_UNAVAILABLE, NO_GRANT;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Verdict {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reason, "reason");
    }

    static Verdict allow(Source source) {
        return new Verdict(true, source, "");
    }

    static Verdict deny(Source source, String reason) {
        return new Verdict(false, source, reason);
    }
}
