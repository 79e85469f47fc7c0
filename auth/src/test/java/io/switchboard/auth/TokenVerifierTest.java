package io.switchboard.auth;

import static io.switchboard.auth.Signer.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    private static TokenVerifier verifier(List<JWK> keys, Instant now) {
        return TokenVerifier.builder(KeySet.of(keys)).clock(Clock.fixed(now, ZoneOffset.UTC))
                .clockSkew(Duration.ofSeconds(30)).build();
    }

    private static TokenVerifier verifier(Signer signer) {
        return verifier(List.of(signer.publicKey()), T0.plusSeconds(60));
    }

    @Test
    void everyAlgorithmVerifiesWithItsKey() throws Exception {
        for (Signer signer : List.of(Signer.hs256(SECRET), Signer.rs256("r1"), Signer.es256("e1"),
                Signer.ed25519("d1"))) {
            VerifiedToken token = verifier(signer).verify(signer.token("alice"));
            assertThat(token.subject()).as(signer.alg().getName()).isEqualTo("alice");
            assertThat(token.expiresAt()).isEqualTo(T0.plusSeconds(3600));
            assertThat(token.keyId()).isEqualTo(signer.key().getKeyID());
        }
    }

    @Test
    void aTokenSignedByAnotherKeyOfTheSameTypeIsRefused() throws Exception {
        Signer mine = Signer.es256("k1");
        Signer theirs = Signer.es256("k1");
        assertRejected(verifier(mine), theirs.token("alice"), TokenRejectedException.Reason.INVALID,
                "bad signature");
        Signer ed = Signer.ed25519("d1");
        assertRejected(verifier(ed), Signer.ed25519("d1").token("alice"), TokenRejectedException.Reason.INVALID,
                "bad signature");
    }

    @Test
    void aKidTheSetDoesNotHoldFindsNoKey() throws Exception {
        Signer signer = Signer.rs256("k1");
        TokenVerifier v = verifier(signer);
        Signer other = new Signer(signer.alg(), new RSAKey.Builder((RSAKey) signer.key()).keyID("k2").build(),
                signer.signer());
        assertRejected(v, other.token("alice"), TokenRejectedException.Reason.INVALID, "no key for this token");
    }

    @Test
    void configuredKeysWithoutKidVerifyWhateverKidATokenNames() throws Exception {
        Signer hs = Signer.hs256(SECRET);
        TokenVerifier v = verifier(List.of(KeyMaterial.hmacSecret(SECRET)), T0);
        String withKid = hs.token(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("legacy-7").build(), "bob",
                c -> { });
        assertThat(v.verify(withKid).subject()).isEqualTo("bob");
    }

    @Test
    void theHeaderCannotChooseTheAlgorithm() throws Exception {
        Signer rs = Signer.rs256(null);
        TokenVerifier v = verifier(rs);
        // alg=none
        String none = new PlainJWT(new JWTClaimsSet.Builder().subject("eve")
                .expirationTime(Date.from(T0.plusSeconds(600))).build()).serialize();
        assertRejected(v, none, TokenRejectedException.Reason.INVALID, "not a signed JWT");
        // HS256 "signed" with the RSA public key's bytes: algorithm confusion finds no HMAC key.
        byte[] publicBytes = ((RSAKey) rs.publicKey()).toPublicKey().getEncoded();
        SignedJWT confused = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder().subject("eve").expirationTime(Date.from(T0.plusSeconds(600))).build());
        confused.sign(new MACSigner(publicBytes));
        assertRejected(v, confused.serialize(), TokenRejectedException.Reason.INVALID, "no key for this token");
        // An algorithm outside the accepted four.
        Signer hs = Signer.hs256(SECRET + SECRET);
        String hs512 = new Signer(JWSAlgorithm.HS512, hs.key(), hs.signer()).token("eve");
        assertRejected(verifier(hs), hs512, TokenRejectedException.Reason.INVALID, "algorithm HS512 is not accepted");
    }

    @Test
    void expiryAndNotBeforeAllowTheSkewAndReadTheInjectedClock() throws Exception {
        Signer hs = Signer.hs256(SECRET);
        List<JWK> keys = List.of(hs.key());
        String token = hs.token("alice");
        assertThat(verifier(keys, T0.plusSeconds(3600 + 29)).verify(token).subject()).isEqualTo("alice");
        assertRejected(verifier(keys, T0.plusSeconds(3600 + 31)), token, TokenRejectedException.Reason.EXPIRED,
                "token expired");
        String later = hs.token("alice", c -> c.notBeforeTime(Date.from(T0.plusSeconds(120))));
        assertRejected(verifier(keys, T0.plusSeconds(60)), later, TokenRejectedException.Reason.INVALID,
                "token not yet valid");
        assertThat(verifier(keys, T0.plusSeconds(95)).verify(later).subject()).isEqualTo("alice");
    }

    @Test
    void subAndExpAreRequiredAndSubMustNotBeBlank() throws Exception {
        Signer hs = Signer.hs256(SECRET);
        TokenVerifier v = verifier(hs);
        assertRejected(v, hs.token(null), TokenRejectedException.Reason.INVALID, "claim 'sub' is required");
        assertRejected(v, hs.token("  "), TokenRejectedException.Reason.INVALID, "claim 'sub' is required");
        assertRejected(v, hs.token("alice", c -> c.expirationTime(null)), TokenRejectedException.Reason.INVALID,
                "claim 'exp' is required");
    }

    @Test
    void issuerAndAudienceAreCheckedWhenConfigured() throws Exception {
        Signer hs = Signer.hs256(SECRET);
        TokenVerifier v = TokenVerifier.builder(KeySet.of(List.of(hs.key())))
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).issuer(Optional.of("https://auth"))
                .audience(Optional.of("switchboard")).build();
        assertThat(v.verify(hs.token("alice", c -> c.issuer("https://auth").audience(List.of("x", "switchboard"))))
                .subject()).isEqualTo("alice");
        assertRejected(v, hs.token("alice", c -> c.issuer("https://evil").audience("switchboard")),
                TokenRejectedException.Reason.INVALID, "claim 'iss' does not match");
        assertRejected(v, hs.token("alice", c -> c.issuer("https://auth").audience("other")),
                TokenRejectedException.Reason.INVALID, "claim 'aud' does not match");
        assertRejected(v, hs.token("alice", c -> c.issuer("https://auth")), TokenRejectedException.Reason.INVALID,
                "claim 'aud' does not match");
    }

    @Test
    void typMustBeJwtWhenPresent() throws Exception {
        Signer hs = Signer.hs256(SECRET);
        TokenVerifier v = verifier(hs);
        String noTyp = hs.token(new JWSHeader(JWSAlgorithm.HS256), "alice", c -> { });
        assertThat(v.verify(noTyp).subject()).isEqualTo("alice");
        String other = hs.token(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("secevent+jwt"))
                .build(), "alice", c -> { });
        assertRejected(v, other, TokenRejectedException.Reason.INVALID, "type secevent+jwt is not accepted");
    }

    @Test
    void garbageIsRefusedWithoutAStackOfDetails() {
        TokenVerifier v = verifier(List.of(KeyMaterial.hmacSecret(SECRET)), T0);
        assertRejected(v, "", TokenRejectedException.Reason.INVALID, "token is required");
        assertRejected(v, "not.a.jwt", TokenRejectedException.Reason.INVALID, "not a signed JWT");
        assertRejected(v, "x".repeat(20_000), TokenRejectedException.Reason.INVALID, "expected: <= 16384");
    }

    static void assertRejected(TokenVerifier v, String token, TokenRejectedException.Reason reason, String message) {
        assertThatThrownBy(() -> v.verify(token))
                .isInstanceOfSatisfying(TokenRejectedException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
    }
}
