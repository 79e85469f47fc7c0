package io.switchboard.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * Verifies HS256 and/or RS256 JWTs with nimbus-jose-jwt. The algorithm in the token header must be one for which
 * a key is configured (a token cannot choose its own verification method). Claims: {@code sub} and {@code exp}
 * are required; {@code nbf}, when present, is honoured; {@code iss} and {@code aud} are checked when configured.
 * Expiry and not-before allow {@code clockSkew} either way and read time from the injected {@link Clock}.
 * Thread-safe (nimbus verifiers are immutable).
 */
public final class JwtVerifier implements TokenVerifier {
    private final Optional<JWSVerifier> hs256;
    private final Optional<JWSVerifier> rs256;
    private final Optional<String> issuer;
    private final Optional<String> audience;
    private final Duration clockSkew;
    private final Clock clock;

    private JwtVerifier(Builder b) {
        this.hs256 = Optional.ofNullable(b.hs256Secret).map(JwtVerifier::macVerifier);
        this.rs256 = Optional.ofNullable(b.rs256Key).map(RSASSAVerifier::new);
        this.issuer = Optional.ofNullable(b.issuer);
        this.audience = Optional.ofNullable(b.audience);
        this.clockSkew = b.clockSkew;
        this.clock = b.clock;
        if (hs256.isEmpty() && rs256.isEmpty()) {
            throw new IllegalArgumentException("JwtVerifier: no key (expected: an HS256 secret and/or an RS256 key)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private static JWSVerifier macVerifier(byte[] secret) {
        try {
            return new MACVerifier(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("hs256 secret: " + e.getMessage() + " (expected: >= 32 bytes)", e);
        }
    }

    @Override
    public VerifiedToken verify(String token) throws AuthException {
        if (token == null || token.isBlank()) {
            throw invalid("token is required");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new AuthException(ErrorCode.INVALID_TOKEN, "token is not a signed JWT", e);
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        JWSVerifier verifier = verifierFor(alg).orElseThrow(() -> invalid("algorithm " + alg + " is not accepted"));
        try {
            if (!jwt.verify(verifier)) {
                throw invalid("bad signature");
            }
        } catch (JOSEException e) {
            throw new AuthException(ErrorCode.INVALID_TOKEN, "signature cannot be verified", e);
        }
        return checkClaims(claims);
    }

    private Optional<JWSVerifier> verifierFor(JWSAlgorithm alg) {
        if (JWSAlgorithm.HS256.equals(alg)) {
            return hs256;
        }
        if (JWSAlgorithm.RS256.equals(alg)) {
            return rs256;
        }
        return Optional.empty();
    }

    private VerifiedToken checkClaims(JWTClaimsSet claims) throws AuthException {
        String sub = claims.getSubject();
        if (sub == null || sub.isBlank()) {
            throw invalid("claim 'sub' is required");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw invalid("claim 'exp' is required");
        }
        Instant now = clock.instant();
        if (exp.toInstant().plus(clockSkew).isBefore(now)) {
            throw new AuthException(ErrorCode.TOKEN_EXPIRED, "token expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().minus(clockSkew).isAfter(now)) {
            throw invalid("token not yet valid");
        }
        if (issuer.isPresent() && !issuer.get().equals(claims.getIssuer())) {
            throw invalid("claim 'iss' does not match");
        }
        if (audience.isPresent()) {
            List<String> aud = claims.getAudience();
            if (aud == null || !aud.contains(audience.get())) {
                throw invalid("claim 'aud' does not match");
            }
        }
        return new VerifiedToken(sub, exp.toInstant());
    }

    private static AuthException invalid(String message) {
        return new AuthException(ErrorCode.INVALID_TOKEN, message);
    }

    /** Builder; at least one key is required. Not thread-safe. */
    public static final class Builder {
        private byte[] hs256Secret;
        private RSAPublicKey rs256Key;
        private String issuer;
        private String audience;
        private Duration clockSkew = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** HMAC secret, used as its UTF-8 bytes. */
        public Builder hs256Secret(String secret) {
            this.hs256Secret = secret.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Builder rs256PublicKey(RSAPublicKey key) {
            this.rs256Key = Objects.requireNonNull(key, "key");
            return this;
        }

        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        public Builder audience(String audience) {
            this.audience = audience;
            return this;
        }

        public Builder clockSkew(Duration clockSkew) {
            this.clockSkew = Objects.requireNonNull(clockSkew, "clockSkew");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public JwtVerifier build() {
            return new JwtVerifier(this);
        }
    }
}
