package io.switchboard.auth;

import java.util.Objects;

/**
 * A token was refused. {@link #reason()} is what a tier maps to its wire code (the gateway: close 3500, 3501 or
 * 3002; the public API: UNAUTHENTICATED or UNAVAILABLE); the message is short and safe to show the caller.
 */
public final class TokenRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a token was refused. */
    public enum Reason {
        /** Not a JWT, an algorithm or type not accepted, no matching key, a bad signature or claims. */
        INVALID,
        /** {@code exp} plus the clock skew has passed. */
        EXPIRED,
        /** The key set could not be read (file or URL) and no earlier set is known: not the token's fault. */
        KEYS_UNAVAILABLE
    }

    private final Reason reason;

    public TokenRejectedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public TokenRejectedException(Reason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
