package io.switchboard.gateway.auth;

import java.time.Instant;

/**
 * What a valid token says: the user ({@code sub}) and when the token expires.
 *
 * @param userId    the {@code sub} claim
 * @param expiresAt the {@code exp} claim
 */
public record VerifiedToken(String userId, Instant expiresAt) {
}
