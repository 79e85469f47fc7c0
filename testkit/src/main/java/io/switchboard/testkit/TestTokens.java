package io.switchboard.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.JWKGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Mints signed JWTs the way an application's auth server would: HS256 with a secret, or RS256, ES256 or EdDSA
 * (Ed25519) with a freshly generated key, optionally named by a {@code kid} in the header, and with the
 * capability claims gateways enforce ({@link #rooms(String...)}, {@link #direct(String...)}): gateways deny every
 * room a token does not grant unless a namespace policy opens it. Not on {@code auth}'s {@code TokenSigner}: the auth
 * module's tests use this kit, and Maven refuses the cycle. Thread-safe.
 */
public final class TestTokens {
    /** Every verb of the {@code rooms} claim. */
    public static final List<String> ALL_VERBS = List.of("subscribe", "publish", "history", "presence", "ephemeral");

    private final JWSSigner signer;
    private final JWSAlgorithm algorithm;
    /** The public JWK (with the kid, if any) of asymmetric keys; null for HS256. */
    private final JWK publicJwk;

    private TestTokens(JWSSigner signer, JWSAlgorithm algorithm, JWK publicJwk) {
        this.signer = signer;
        this.algorithm = algorithm;
        this.publicJwk = publicJwk;
    }

    /** HS256 tokens signed with {@code secret} (at least 32 bytes of UTF-8). */
    public static TestTokens hs256(String secret) {
        try {
            return new TestTokens(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("secret: too short (expected: >= 32 bytes)", e);
        }
    }

    /** RS256 tokens signed with a freshly generated 2048-bit RSA key, no kid; see {@link #publicKeyPem()}. */
    public static TestTokens rs256() {
        return rs256(null);
    }

    /** RS256 tokens with a fresh 2048-bit RSA key named {@code kid} (null: none) in every token's header. */
    public static TestTokens rs256(String kid) {
        return generated(new RSAKeyGenerator(2048), kid, RSASSASigner::new, JWSAlgorithm.RS256);
    }

    /** ES256 tokens with a fresh P-256 key named {@code kid}. */
    public static TestTokens es256(String kid) {
        return generated(new ECKeyGenerator(Curve.P_256), kid, ECDSASigner::new, JWSAlgorithm.ES256);
    }

    /** EdDSA tokens with a fresh Ed25519 key named {@code kid}. */
    public static TestTokens ed25519(String kid) {
        return generated(new OctetKeyPairGenerator(Curve.Ed25519), kid, Ed25519Signer::new, JWSAlgorithm.EdDSA);
    }

    /** A signer for a generated private key. */
    private interface SignerFor<K extends JWK> {
        JWSSigner of(K key) throws JOSEException;
    }

    /** Tokens signed with a key {@code generator} makes, named {@code kid} (null: none), by {@code algorithm}. */
    private static <K extends JWK> TestTokens generated(JWKGenerator<K> generator, String kid,
                                                        SignerFor<K> signer, JWSAlgorithm algorithm) {
        try {
            K key = generator.keyID(kid).generate();
            return new TestTokens(signer.of(key), algorithm, key.toPublicJWK());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as a JWK (with its kid), for a JWK Set; throws for HS256 tokens. */
    public JWK publicJwk() {
        if (publicJwk == null) {
            throw new IllegalStateException("HS256 tokens have no public key");
        }
        return publicJwk;
    }

    /** The RS256 verification key as PEM ("BEGIN PUBLIC KEY"); throws for other tokens. */
    public String publicKeyPem() {
        if (!(publicJwk instanceof RSAKey rsa)) {
            throw new IllegalStateException(algorithm + " tokens have no RSA public key");
        }
        try {
            return "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(rsa.toPublicKey().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token for {@code user}, valid for one hour, granting no room (only namespace policies open any). */
    public String token(String user) {
        return token(user, claims -> { });
    }

    /** A token for {@code user}, valid for one hour, granting every verb in the rooms {@code patterns} match. */
    public String token(String user, String... patterns) {
        return token(user, rooms(patterns));
    }

    /**
     * Adds a {@code rooms} claim granting every verb in each of {@code patterns} (a room name, a prefix ending in
     * {@code *}, or {@code *}), e.g. {@code tokens.token("alice", TestTokens.rooms("chat:*"))}.
     */
    public static Consumer<JWTClaimsSet.Builder> rooms(String... patterns) {
        Map<String, List<String>> grants = new LinkedHashMap<>();
        for (String p : patterns) {
            grants.put(p, ALL_VERBS);
        }
        return rooms(grants);
    }

    /** Adds a {@code rooms} claim: room pattern to the verbs it grants. */
    public static Consumer<JWTClaimsSet.Builder> rooms(Map<String, List<String>> grants) {
        Map<String, Object> claim = new LinkedHashMap<>(grants);
        return claims -> claims.claim("rooms", claim);
    }

    /** Adds a {@code direct} claim: the user-id patterns the holder may send direct messages to. */
    public static Consumer<JWTClaimsSet.Builder> direct(String... userPatterns) {
        List<String> claim = List.of(userPatterns);
        return claims -> claims.claim("direct", claim);
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
        String kid = publicJwk == null ? null : publicJwk.getKeyID();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).build(), claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jwt.serialize();
    }
}
