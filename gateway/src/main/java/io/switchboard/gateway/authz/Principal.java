package io.switchboard.gateway.authz;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.switchboard.auth.capability.Capabilities;
import io.switchboard.gateway.auth.VerifiedToken;

/**
 * Who asks for room access: one connection (its user and session) with the capabilities and claims of its current
 * token. Built once per token, at Connect and at each refresh, so that what the backend's answers are cached by
 * (the claims other than the time claims, and their hash) is computed once per token instead of once per publish.
 * Immutable.
 */
public final class Principal {
    /** Claims that change with every token of a user and so must not split the backend cache. */
    private static final Set<String> TIME_CLAIMS = Set.of("exp", "iat", "nbf", "jti");

    private final String userId;
    private final String sessionId;
    private final Capabilities capabilities;
    private final Map<String, Object> claims;
    private final ClaimsKey claimsKey;

    private Principal(String userId, String sessionId, Capabilities capabilities, Map<String, Object> claims) {
        this.userId = Objects.requireNonNull(userId, "userId");
        this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
        this.capabilities = Objects.requireNonNull(capabilities, "capabilities");
        this.claims = Objects.requireNonNull(claims, "claims");
        Map<String, Object> keyed = new HashMap<>(claims);
        keyed.keySet().removeAll(TIME_CLAIMS);
        this.claimsKey = new ClaimsKey(Map.copyOf(keyed));
    }

    /** The principal of session {@code sessionId} holding {@code token}. */
    public static Principal of(String sessionId, VerifiedToken token) {
        return new Principal(token.userId(), sessionId, token.capabilities(), token.claims());
    }

    public String userId() {
        return userId;
    }

    public String sessionId() {
        return sessionId;
    }

    public Capabilities capabilities() {
        return capabilities;
    }

    /** Every claim of the token (what the backend's Authorize receives). */
    public Map<String, Object> claims() {
        return claims;
    }

    ClaimsKey claimsKey() {
        return claimsKey;
    }

    /** The claims without the time claims, with their hash computed once (claims may nest maps and lists). */
    static final class ClaimsKey {
        private final Map<String, Object> claims;
        private final int hash;

        ClaimsKey(Map<String, Object> claims) {
            this.claims = claims;
            this.hash = claims.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o == this || (o instanceof ClaimsKey k && k.hash == hash && k.claims.equals(claims));
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return claims.toString();
        }
    }

    @Override
    public String toString() {
        return "Principal{" + userId + ", " + sessionId + "}";
    }
}
