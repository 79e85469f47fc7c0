package io.switchboard.auth;

import static io.switchboard.auth.Signer.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link TokenSigner} signs is what {@link TokenVerifier} accepts, with the claims and kid given. */
class TokenSignerTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final JWTClaimsSet CLAIMS = new JWTClaimsSet.Builder().subject("alice")
            .issueTime(Date.from(T0)).expirationTime(Date.from(T0.plusSeconds(3600))).claim("scope", "publish").build();

    private static TokenVerifier verifier(JWK key) {
        return TokenVerifier.builder(KeySet.of(List.of(key))).clock(Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC))
                .build();
    }

    private static JWK secretKey(String keyId) {
        return new OctetSequenceKey.Builder(SECRET.getBytes(StandardCharsets.UTF_8)).keyID(keyId).build();
    }

    @Test
    void anHs256TokenVerifiesWithItsSecretAndCarriesTheClaims() throws Exception {
        String token = TokenSigner.hs256(SECRET).sign(CLAIMS);

        VerifiedToken verified = verifier(secretKey(null)).verify(token);
        assertThat(verified.subject()).isEqualTo("alice");
        assertThat(verified.expiresAt()).isEqualTo(T0.plusSeconds(3600));
        SignedJWT parsed = SignedJWT.parse(token);
        assertThat(parsed.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
        assertThat(parsed.getHeader().getKeyID()).isNull();
        assertThat(parsed.getJWTClaimsSet().getStringClaim("scope")).isEqualTo("publish");
    }

    @Test
    void aKeyIdGoesIntoEveryHeaderAndSelectsTheKey() throws Exception {
        String token = TokenSigner.hs256(SECRET, "k1").sign(CLAIMS);

        assertThat(SignedJWT.parse(token).getHeader().getKeyID()).isEqualTo("k1");
        assertThat(verifier(secretKey("k1")).verify(token).keyId()).isEqualTo("k1");
        assertThatThrownBy(() -> verifier(secretKey("k2")).verify(token))
                .isInstanceOf(TokenRejectedException.class).hasMessageContaining("no key for this token");
    }

    @Test
    void anAsymmetricSignerSignsWithItsAlgorithm() throws Exception {
        Signer es = Signer.es256("e1");
        String token = TokenSigner.of(es.signer(), JWSAlgorithm.ES256, "e1").sign(CLAIMS);

        assertThat(verifier(es.publicKey()).verify(token).subject()).isEqualTo("alice");
    }

    @Test
    void aShortSecretOrAnAlgorithmTheKeyCannotSignWithIsRefusedUpFront() throws Exception {
        assertThatThrownBy(() -> TokenSigner.hs256("only-31-bytes-of-secret-0123456"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("hs256 secret: 31 bytes (expected: >= 32 bytes)");
        MACSigner mac = new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TokenSigner.of(mac, JWSAlgorithm.RS256, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RS256: not an algorithm of this key");
    }
}
