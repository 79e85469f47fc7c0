package io.switchboard.gateway.session;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

import io.switchboard.gateway.auth.AuthException;
import io.switchboard.gateway.auth.TokenVerifier;
import io.switchboard.gateway.auth.VerifiedToken;
import io.switchboard.gateway.authz.Principal;
import io.switchboard.proto.client.v1.RefreshToken;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Sender;

/**
 * Who a session acts for: the user its Connect token names, what that token grants ({@link Principal}), until when
 * it is valid, and token refresh. Tokens are checked by the gateway's {@link TokenVerifier}; a RefreshToken must
 * name the same user and replaces the grants and the expiry. The user is fixed by the first successful Connect.
 *
 * <p>Thread-safe: written by the connection's requests (one at a time), read by the expiry check on the timer and
 * by backend callbacks (through volatile fields).
 */
final class SessionAuth {
    private final String sessionId;
    private final String gatewayId;
    private final TokenVerifier verifier;
    private volatile String userId = "";
    // The current token's grants; null before Connect.
    private volatile Principal principal;
    // When the current token expires; null before Connect.
    private volatile Instant expiresAt;
    // Told the new expiry after each refresh taken (the gateway files connections by expiry).
    private volatile Consumer<Instant> refreshed = expiry -> { };

    SessionAuth(String sessionId, String gatewayId, TokenVerifier verifier) {
        this.sessionId = sessionId;
        this.gatewayId = gatewayId;
        this.verifier = verifier;
    }

    /**
     * Verifies a Connect token and makes its user the session's.
     *
     * @throws AuthException with the close code the connection ends with (INVALID_TOKEN or TOKEN_EXPIRED)
     */
    VerifiedToken connect(String token) throws AuthException {
        VerifiedToken verified = verifier.verify(token);
        userId = verified.userId();
        principal = Principal.of(sessionId, verified);
        expiresAt = verified.expiresAt();
        return verified;
    }

    /**
     * Takes a RefreshToken's token when it is valid and names the session's user: the session then holds its grants
     * and lives until its expiry. Otherwise answers with an INVALID_TOKEN Error frame, and the old token stays in
     * force.
     *
     * @return empty when the token was taken (the caller re-checks the subscriptions, then acks), else the error
     */
    Optional<ServerFrame> refresh(RefreshToken refresh) {
        VerifiedToken token;
        try {
            token = verifier.verify(refresh.getToken());
        } catch (AuthException e) {
            return Optional.of(ServerFrames.invalidToken(refresh.getRequestId(), e.getMessage()));
        }
        if (!token.userId().equals(userId)) {
            return Optional.of(ServerFrames.invalidToken(refresh.getRequestId(),
                    "sub: token names another user (expected: " + userId + ")"));
        }
        principal = Principal.of(sessionId, token);
        expiresAt = token.expiresAt();
        refreshed.accept(token.expiresAt());
        return Optional.empty();
    }

    /** Calls {@code listener} with the new expiry after each refresh taken. */
    void onRefreshed(Consumer<Instant> listener) {
        this.refreshed = listener;
    }

    /** True when the session's token expired at or before {@code cutoff}; false before Connect. */
    boolean expiredAt(Instant cutoff) {
        Instant exp = expiresAt;
        return exp != null && !cutoff.isBefore(exp);
    }

    /** The authenticated user; empty before Connect. */
    String userId() {
        return userId;
    }

    String sessionId() {
        return sessionId;
    }

    /** The current token's grants; only after Connect. */
    Principal principal() {
        Principal p = principal;
        if (p == null) {
            throw new IllegalStateException("no Connect yet in session " + sessionId);
        }
        return p;
    }

    /** The sender stamped on what this session sends to backends. */
    Sender sender() {
        return Sender.newBuilder()
                .setUserId(userId)
                .setSessionId(sessionId)
                .setGatewayId(gatewayId)
                .build();
    }
}
