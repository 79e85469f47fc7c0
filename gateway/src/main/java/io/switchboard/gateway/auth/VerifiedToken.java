package io.switchboard.gateway.auth;

import java.time.Instant;
import java.util.Objects;

import io.switchboard.auth.capability.Capabilities;

/**
 * What a valid token says: the user ({@code sub}), when the token expires, and what its {@code rooms} and
 * {@code direct} claims grant (read and validated at connect; not yet enforced by the session).
 *
 * @param userId       the {@code sub} claim
 * @param expiresAt    the {@code exp} claim
 * @param capabilities the {@code rooms} and {@code direct} claims
 */
public record VerifiedToken(String userId, Instant expiresAt, Capabilities capabilities) {
    public VerifiedToken {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(capabilities, "capabilities");
    }

    /** A token without capability claims. */
    public VerifiedToken(String userId, Instant expiresAt) {
        this(userId, expiresAt, Capabilities.NONE);
    }
}
