package io.switchboard.router.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies service tokens (HS256 and/or RS256 JWTs) with nimbus-jose-jwt. The header's algorithm must be one
 * with a configured key, so a token cannot pick how it is checked. {@code sub} and {@code exp} are required,
 * {@code nbf} is honoured, both with the configured clock skew; {@code scope} lists permissions (unknown words
 * are ignored so that newer tokens keep working). Thread-safe (nimbus verifiers are immutable).
 */
final class ServiceTokenVerifier {
    private final Optional<JWSVerifier> hs256;
    private final Optional<JWSVerifier> rs256;
    private final Duration clockSkew;
    private final InstantSource clock;

    ServiceTokenVerifier(Optional<byte[]> hs256Secret, Optional<String> rs256PublicKeyPem, Duration clockSkew,
                         InstantSource clock) {
        this.hs256 = hs256Secret.map(ServiceTokenVerifier::macVerifier);
        this.rs256 = rs256PublicKeyPem.map(pem -> new RSASSAVerifier(PemKeys.rsaPublicKey(pem)));
        this.clockSkew = clockSkew;
        this.clock = clock;
        if (hs256.isEmpty() && rs256.isEmpty()) {
            throw new IllegalArgumentException("router.api.auth: no key (expected: an HS256 secret and/or an RS256"
                    + " public key)");
        }
    }

    /**
     * The verifier for {@code config}'s keys, reading the RS256 PEM file now.
     *
     * @throws IllegalArgumentException naming the key when no key is set or the PEM file is not an RSA key
     */
    static ServiceTokenVerifier from(ApiConfig config, InstantSource clock) {
        Optional<String> pem = config.rs256PublicKeyFile().map(ServiceTokenVerifier::read);
        try {
            return new ServiceTokenVerifier(config.hs256Secret().map(s -> s.getBytes(StandardCharsets.UTF_8)), pem,
                    config.clockSkew(), clock);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("router.api")
                    ? e.getMessage()
                    : "router.api.auth.rs256-public-key-file: " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("router.api.auth.rs256-public-key-file: " + file + " (expected: a"
                    + " readable PEM file)", e);
        }
    }

    private static JWSVerifier macVerifier(byte[] secret) {
        try {
            return new MACVerifier(secret);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("router.api.auth.hs256-secret: " + e.getMessage()
                    + " (expected: >= 32 bytes)", e);
        }
    }

    /**
     * @return the caller's identity
     * @throws InvalidToken with an UNAUTHENTICATED description when the token is not acceptable
     */
    ServiceIdentity verify(String token) throws InvalidToken {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidToken("token is not a signed JWT");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        JWSVerifier verifier = verifierFor(alg)
                .orElseThrow(() -> new InvalidToken("algorithm " + alg + " is not accepted"));
        try {
            if (!jwt.verify(verifier)) {
                throw new InvalidToken("bad signature");
            }
        } catch (JOSEException e) {
            throw new InvalidToken("signature cannot be verified: " + e.getMessage());
        }
        String sub = claims.getSubject();
        if (sub == null || sub.isBlank()) {
            throw new InvalidToken("claim 'sub' is required");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw new InvalidToken("claim 'exp' is required");
        }
        Instant now = clock.instant();
        if (exp.toInstant().plus(clockSkew).isBefore(now)) {
            throw new InvalidToken("token expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().minus(clockSkew).isAfter(now)) {
            throw new InvalidToken("token not yet valid");
        }
        return new ServiceIdentity(sub, permissions(claims));
    }

    private static Set<Permission> permissions(JWTClaimsSet claims) throws InvalidToken {
        Object scope = claims.getClaim("scope");
        Set<Permission> granted = EnumSet.noneOf(Permission.class);
        if (scope == null) {
            return granted;
        }
        if (!(scope instanceof String words)) {
            throw new InvalidToken("claim 'scope' must be a space-separated string");
        }
        for (String word : words.trim().split("\\s+")) {
            Permission.ofScope(word).ifPresent(granted::add);
        }
        return granted;
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

    /** A token that is missing, malformed, badly signed or out of its validity period. */
    static final class InvalidToken extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidToken(String message) {
            super(message, null, false, false);
        }

        Status status() {
            return Status.UNAUTHENTICATED.withDescription(getMessage());
        }
    }
}
