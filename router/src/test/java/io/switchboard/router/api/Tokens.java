package io.switchboard.router.api;

import com.nimbusds.jwt.JWTClaimsSet;
import io.switchboard.auth.TokenSigner;
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
        return TokenSigner.hs256(secret).sign(claims.build());
    }
}
