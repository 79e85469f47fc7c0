package io.switchboard.loadgen;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Mints HS256 tokens the way an application's auth server would: {@code sub}, {@code exp} and, for a client with a
 * room, a {@code rooms} claim granting it subscribe and publish there (the gateway denies rooms a token does not
 * grant). Thread-safe.
 */
final class Tokens {
    private static final Duration LIFETIME = Duration.ofHours(6);

    private final MACSigner signer;

    Tokens(String secret) {
        try {
            this.signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("secret: shorter than 32 bytes (expected: >= 32 bytes of UTF-8)", e);
        }
    }

    /** A token for {@code user}; {@code room} (null for none) granted for subscribe and publish. */
    String token(String user, String room) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(user).issueTime(Date.from(now)).expirationTime(Date.from(now.plus(LIFETIME)));
        if (room != null) {
            claims.claim("rooms", Map.of(room, List.of("subscribe", "publish")));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jwt.serialize();
    }
}
