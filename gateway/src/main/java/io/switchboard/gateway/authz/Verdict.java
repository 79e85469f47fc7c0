package io.switchboard.gateway.authz;

import java.util.Locale;
import java.util.Objects;

/**
 * The answer for one (room, verb) of one connection. Immutable.
 *
 * @param allowed whether the action may go ahead
 * @param source  what decided
 * @param reason  for a refusal, the text for the client's error, naming the verb and the room; empty when allowed
 */
public record Verdict(boolean allowed, Source source, String reason) {
    /** What decided a verdict (also the {@code source} label of the decision metric). */
    public enum Source {
        TOKEN, POLICY, BACKEND, BACKEND_UNAVAILABLE, NO_GRANT,
        /** The inbox rule: a user subscribes to and reads their own inbox; nothing else is done in an inbox. */
        INBOX;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final Verdict ALLOWED_BY_TOKEN = new Verdict(true, Source.TOKEN, "");
    static final Verdict ALLOWED_BY_POLICY = new Verdict(true, Source.POLICY, "");
    static final Verdict ALLOWED_BY_BACKEND = new Verdict(true, Source.BACKEND, "");
    static final Verdict ALLOWED_FAIL_OPEN = new Verdict(true, Source.BACKEND_UNAVAILABLE, "");
    static final Verdict ALLOWED_OWN_INBOX = new Verdict(true, Source.INBOX, "");

    public Verdict {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reason, "reason");
    }

    static Verdict allow(Source source) {
        return switch (source) {
            case TOKEN -> ALLOWED_BY_TOKEN;
            case POLICY -> ALLOWED_BY_POLICY;
            case BACKEND -> ALLOWED_BY_BACKEND;
            case BACKEND_UNAVAILABLE -> ALLOWED_FAIL_OPEN;
            case INBOX -> ALLOWED_OWN_INBOX;
            case NO_GRANT -> throw new IllegalArgumentException("source: NO_GRANT (expected: a source that allows)");
        };
    }

    static Verdict deny(Source source, String reason) {
        return new Verdict(false, source, reason);
    }

    /**
     * True when the action was refused only because the backend could not be asked (the namespace fails closed):
     * the same request may succeed later, unlike a denial.
     */
    public boolean unavailable() {
        return !allowed && source == Source.BACKEND_UNAVAILABLE;
    }

    /**
     * True when the refusal is a decision (no grant, or the backend said no) rather than an outage; for re-checks
     * of what a connection already holds, which an outage should not take away.
     */
    public boolean denied() {
        return !allowed && source != Source.BACKEND_UNAVAILABLE;
    }
}
