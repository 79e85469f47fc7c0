package io.switchboard.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Objects;
import java.util.function.Consumer;

/** Mints signed JWTs the way an application's auth server would. Thread-safe. */
public final class TestTokens {
    private final JWSSigner signer;
    private final JWSAlgorithm algorithm;
    private final String publicKeyPem;

    private TestTokens(JWSSigner signer, JWSAlgorithm algorithm, String publicKeyPem) {
        this.signer = signer;
        this.algorithm = algorithm;
        this.publicKeyPem = publicKeyPem;
    }

    /** HS256 tokens signed with {@code secret} (at least 32 bytes of UTF-8). */
    public static TestTokens hs256(String secret) {
        try {
            return new TestTokens(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("secret: too short (expected: >= 32 bytes)", e);
        }
    }

    /** RS256 tokens signed with a freshly generated 2048-bit RSA key; see {@link #publicKeyPem()}. */
    public static TestTokens rs256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            String pem = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            return new TestTokens(new RSASSASigner((RSAPrivateKey) pair.getPrivate()), JWSAlgorithm.RS256, pem);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The RS256 verification key as PEM ("BEGIN PUBLIC KEY"); throws for HS256 tokens. */
    public String publicKeyPem() {
        if (publicKeyPem == null) {
            throw new IllegalStateException("HS256 tokens have no public key");
        }
        return publicKeyPem;
    }

    /** A token for {@code user}, valid for one hour. */
    public String token(String user) {
        return token(user, claims -> { });
    }

    /** A token for {@code user} that expired an hour ago. */
    public String expiredToken(String user) {
        Instant past = Instant.now().minus(Duration.ofHours(2));
        return token(user, claims -> claims.issueTime(Date.from(past)).expirationTime(Date.from(past.plus(Duration.ofHours(1)))));
    }

    /** A token for {@code user}, valid for one hour unless {@code customizer} changes the claims. */
    public String token(String user, Consumer<JWTClaimsSet.Builder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(user)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))));
        customizer.accept(claims);
        SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jwt.serialize();
    }
}
