package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator's tokens verify with the key a gateway would hold, and carry what the gateway checks. */
class TokensTest {
    @TempDir
    Path dir;

    @Test
    void hs256TokensVerifyWithTheSecretAndGrantTheClientsRoom() throws Exception {
        Tokens tokens = new Tokens(TokenSpec.hs256(LoadSettings.DEFAULT_SECRET));
        SignedJWT jwt = SignedJWT.parse(tokens.token("u1", "load:r:1"));
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
        assertThat(jwt.verify(new MACVerifier(LoadSettings.DEFAULT_SECRET.getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("u1");
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isNull();
        assertThat(jwt.getJWTClaimsSet().getJSONObjectClaim("rooms"))
                .isEqualTo(Map.of("load:r:1", List.of("subscribe", "publish")));
    }

    @Test
    void anRsaKeySignsRs256AndAnEcKeyEs256WithKidIssuerAndAudience() throws Exception {
        KeyPair rsa = TokenKeys.rsa();
        KeyPair ec = TokenKeys.ecP256();
        assertSigned(TokenKeys.writePrivate(rsa, dir.resolve("rsa.pem")), JWSAlgorithm.RS256,
                new RSASSAVerifier((RSAPublicKey) rsa.getPublic()));
        assertSigned(TokenKeys.writePrivate(ec, dir.resolve("ec.pem")), JWSAlgorithm.ES256,
                new ECDSAVerifier((ECPublicKey) ec.getPublic()));
    }

    @Test
    void aFileWithoutAPkcs8KeyIsRefusedNamingIt() throws Exception {
        Path notAKey = Files.writeString(dir.resolve("public.pem"),
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        assertThatThrownBy(() -> new Tokens(new TokenSpec(null, notAKey.toString(), null, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--token-key " + notAKey + ": no -----BEGIN PRIVATE KEY----- block (expected: a PKCS#8 PEM"
                        + " key, e.g. from openssl genpkey)");
    }

    private static void assertSigned(Path key, JWSAlgorithm algorithm, JWSVerifier verifier) throws Exception {
        Tokens tokens = new Tokens(new TokenSpec(null, key.toString(), "key-1", "https://auth.example", "switchboard"));
        SignedJWT jwt = SignedJWT.parse(tokens.token("u2", null));
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(algorithm);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo("key-1");
        assertThat(jwt.verify(verifier)).as(algorithm + " signature").isTrue();
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo("https://auth.example");
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("switchboard");
        assertThat(jwt.getJWTClaimsSet().getClaim("rooms")).isNull();
    }
}
