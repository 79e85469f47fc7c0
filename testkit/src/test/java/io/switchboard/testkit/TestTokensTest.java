package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.Test;

class TestTokensTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void hs256TokenVerifiesWithTheSecretAndCarriesTheUser() throws Exception {
        SignedJWT jwt = SignedJWT.parse(TestTokens.hs256(SECRET).token("alice"));
        assertThat(jwt.verify(new MACVerifier(SECRET))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("alice");
        assertThat(jwt.getJWTClaimsSet().getExpirationTime()).isAfter(new Date());
    }

    @Test
    void expiredTokenIsExpired() throws Exception {
        SignedJWT jwt = SignedJWT.parse(TestTokens.hs256(SECRET).expiredToken("bob"));
        assertThat(jwt.getJWTClaimsSet().getExpirationTime()).isBefore(new Date());
    }

    @Test
    void rs256TokenVerifiesWithThePublishedPem() throws Exception {
        TestTokens tokens = TestTokens.rs256();
        SignedJWT jwt = SignedJWT.parse(tokens.token("carol"));
        String base64 = tokens.publicKeyPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
        assertThat(jwt.verify(new RSASSAVerifier(key))).isTrue();
    }
}
