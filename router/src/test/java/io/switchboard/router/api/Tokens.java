package io.switchboard.router.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Mints HS256 service tokens for tests. Thread-safe. */
final class Tokens {
    static final String SECRET = "test-secret-test-secret-test-secret-0123";
    static final String OTHER_SECRET = "another-secret-another-secret-another-0123";

    private Tokens() {
    }

    static String token(String sub, String scope, Instant now) {
        return sign(SECRET, sub, scope, now.plus(Duration.ofMinutes(5)));
    }

    static String sign(String secret, String sub, String scope, Instant expiry) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().expirationTime(Date.from(expiry));
        if (sub != null) {
            claims.subject(sub);
        }
        if (scope != null) {
            claims.claim("scope", scope);
        }
        try {
            JWSSigner signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
