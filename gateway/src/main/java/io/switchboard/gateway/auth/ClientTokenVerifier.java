package io.switchboard.gateway.auth;

import java.util.Map;
import java.util.Objects;

import io.switchboard.auth.TokenRejectedException;
import io.switchboard.auth.capability.Capabilities;
import io.switchboard.auth.capability.CapabilityException;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * Client tokens through the shared {@link io.switchboard.auth.TokenVerifier}: maps its refusals to close codes
 * (expired: 3501 TOKEN_EXPIRED; keys unreadable: 3002 SERVER_ERROR, reconnect later, since the token is not at
 * fault; anything else: 3500 INVALID_TOKEN) and reads the {@code rooms} and {@code direct} claims, refusing a
 * malformed one with INVALID_TOKEN and a message naming it. Thread-safe.
 */
public final class ClientTokenVerifier implements TokenVerifier {
    private final io.switchboard.auth.TokenVerifier verifier;

    public ClientTokenVerifier(io.switchboard.auth.TokenVerifier verifier) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    @Override
    public VerifiedToken verify(String token) throws AuthException {
        io.switchboard.auth.VerifiedToken verified;
        try {
            verified = verifier.verify(token);
        } catch (TokenRejectedException e) {
            throw new AuthException(switch (e.reason()) {
                case EXPIRED -> ErrorCode.TOKEN_EXPIRED;
                case KEYS_UNAVAILABLE -> ErrorCode.SERVER_ERROR;
                case INVALID -> ErrorCode.INVALID_TOKEN;
            }, e.getMessage(), e);
        }
        try {
            Map<String, Object> claims = verified.claims().getClaims();
            return new VerifiedToken(verified.subject(), verified.expiresAt(), Capabilities.fromClaims(claims),
                    claims);
        } catch (CapabilityException e) {
            throw new AuthException(ErrorCode.INVALID_TOKEN, e.getMessage(), e);
        }
    }
}
