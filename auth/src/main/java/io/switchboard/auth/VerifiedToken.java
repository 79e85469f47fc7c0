package io.switchboard.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.Objects;

/**
 * A token that passed {@link TokenVerifier#verify(String)}. Immutable.
 *
 * @param subject   the {@code sub} claim (never blank)
 * @param expiresAt the {@code exp} claim
 * @param keyId     the {@code kid} of the header, or null when the token named none
 * @param claims    every claim, for tier-specific ones ({@code scope}, {@code rooms}, {@code direct})
 */
public record VerifiedToken(String subject, Instant expiresAt, String keyId, JWTClaimsSet claims) {
    public VerifiedToken {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(claims, "claims");
    }
}
