package io.switchboard.router.api;

import com.nimbusds.jwt.JWTClaimsSet;
import io.grpc.Status;
import io.switchboard.auth.KeySet;
import io.switchboard.auth.TokenRejectedException;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.auth.VerifiedToken;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.Set;

/**
 * Service tokens through the shared {@link TokenVerifier} (the rules of client tokens: HS256, RS256, ES256 or
 * EdDSA, keys with kid from a file or JWKS URL, sub and exp required, iss / aud when configured), plus the
 * {@code scope} claim: space-separated permissions, unknown words ignored so that newer tokens keep working.
 * Thread-safe; {@link #close()} stops the key set's background refreshes.
 */
final class ServiceTokenVerifier implements AutoCloseable {
    private final KeySet keys;
    private final TokenVerifier verifier;

    private ServiceTokenVerifier(KeySet keys, TokenVerifier verifier) {
        this.keys = keys;
        this.verifier = verifier;
    }

    /**
     * The verifier for {@code config}'s keys, reading the PEM file now and the file or URL key set in the
     * background.
     *
     * @throws IllegalArgumentException naming the key when no key is set or a key is not usable
     */
    static ServiceTokenVerifier from(ApiConfig config, InstantSource clock) {
        KeySet keys = KeySet.from(config.keySet().orElseThrow(() -> new IllegalArgumentException(
                "router.api.auth: no key (expected: a key source when router.api.enabled=true)")));
        keys.prefetch();
        return new ServiceTokenVerifier(keys, TokenVerifier.builder(keys)
                .clock(clock)
                .clockSkew(config.clockSkew())
                .issuer(config.issuer())
                .audience(config.audience())
                .build());
    }

    /**
     * @return the caller's identity
     * @throws InvalidToken with the status to close the call with
     */
    ServiceIdentity verify(String token) throws InvalidToken {
        VerifiedToken verified;
        try {
            verified = verifier.verify(token);
        } catch (TokenRejectedException e) {
            throw new InvalidToken(e.reason() == TokenRejectedException.Reason.KEYS_UNAVAILABLE
                    ? Status.UNAVAILABLE.withDescription("service token keys unavailable; retry")
                    : Status.UNAUTHENTICATED.withDescription(e.getMessage()));
        }
        return new ServiceIdentity(verified.subject(), permissions(verified.claims()));
    }

    private static Set<Permission> permissions(JWTClaimsSet claims) throws InvalidToken {
        Object scope = claims.getClaim("scope");
        Set<Permission> granted = EnumSet.noneOf(Permission.class);
        if (scope == null) {
            return granted;
        }
        if (!(scope instanceof String words)) {
            throw new InvalidToken(Status.UNAUTHENTICATED.withDescription(
                    "claim 'scope' must be a space-separated string"));
        }
        for (String word : words.trim().split("\\s+")) {
            Permission.ofScope(word).ifPresent(granted::add);
        }
        return granted;
    }

    @Override
    public void close() {
        keys.close();
    }

    /** A token that is missing, malformed, badly signed or out of its validity period, or keys that are down. */
    static final class InvalidToken extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Status status;

        InvalidToken(Status status) {
            super(status.getDescription(), null, false, false);
            this.status = status;
        }

        Status status() {
            return status;
        }
    }
}
