package io.switchboard.gateway.auth;

/** Checks the token of a Connect frame. Implementations are thread-safe. */
@FunctionalInterface
public interface TokenVerifier {
    /**
     * Verifies signature and claims.
     *
     * @throws AuthException with {@code INVALID_TOKEN} or {@code TOKEN_EXPIRED}
     */
    VerifiedToken verify(String token) throws AuthException;
}
