package io.switchboard.gateway.auth;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

import io.switchboard.auth.capability.Capabilities;

/**
 * What a valid token says: the user ({@code sub}), when the token expires, what its {@code rooms} and
 * {@code direct} claims grant (read and validated at connect, enforced by the session), and every claim
 * (what the application backend's Authorize receives).
 *
 * @param userId       the {@code sub} claim
 * @param expiresAt    the {@code exp} claim
 * @param capabilities the {@code rooms} and {@code direct} claims
 * @param claims       every claim, unmodifiable
 */
public record VerifiedToken(String userId, Instant expiresAt, Capabilities capabilities, Map<String, Object> claims) {
    public VerifiedToken {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(capabilities, "capabilities");
        Objects.requireNonNull(claims, "claims");
    }

    /** A token without capability claims. */
    public VerifiedToken(String userId, Instant expiresAt) {
        this(userId, expiresAt, Capabilities.NONE, Map.of("sub", userId));
    }
}
