package io.switchboard.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.time.Instant;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyMaterialTest {
    @Test
    void pemPublicKeysOfEveryTypeBecomeJwksThatVerifyTokens() throws Exception {
        for (Signer signer : List.of(Signer.rs256(null), Signer.es256(null), Signer.ed25519(null))) {
            JWK jwk = KeyMaterial.publicKeyPem(signer.publicKeyPem());
            assertThat(jwk.isPrivate()).isFalse();
            assertThat(jwk.getKeyID()).isNull();
            TokenVerifier v = TokenVerifier.builder(KeySet.of(List.of(jwk)))
                    .clock(Clock.fixed(Signer.T0, ZoneOffset.UTC)).build();
            assertThat(v.verify(signer.token("alice")).subject()).as(signer.alg().getName()).isEqualTo("alice");
        }
        assertThat(KeyMaterial.publicKeyPem(Signer.rs256(null).publicKeyPem())).isInstanceOf(RSAKey.class);
        assertThat(KeyMaterial.publicKeyPem(Signer.ed25519(null).publicKeyPem())).isInstanceOf(OctetKeyPair.class);
    }

    @Test
    void aKeySetIsReadFromJwkSetJsonASingleJwkOrPemAndLosesPrivateParts() throws Exception {
        Signer es = Signer.es256("e1");
        JWKSet fromSet = KeyMaterial.keySet(new JWKSet(es.key()).toString(false));
        assertThat(fromSet.getKeys()).singleElement().satisfies(k -> {
            assertThat(k.getKeyID()).isEqualTo("e1");
            assertThat(k.isPrivate()).isFalse();
        });
        assertThat(KeyMaterial.keySet(es.key().toJSONString()).getKeys()).singleElement()
                .satisfies(k -> assertThat(k.isPrivate()).isFalse());
        assertThat(KeyMaterial.keySet(es.publicKeyPem()).getKeys()).singleElement().isInstanceOf(ECKey.class);
    }

    @Test
    void badInputSaysWhatIsWrong() throws Exception {
        assertThatThrownBy(() -> KeyMaterial.publicKeyPem("hello")).hasMessageContaining("no '-----BEGIN PUBLIC KEY");
        assertThatThrownBy(() -> KeyMaterial.publicKeyPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
                .hasMessageContaining("not an RSA, EC or Ed25519 public key");
        ECKey p384 = new ECKeyGenerator(Curve.P_384).generate();
        String pem384 = "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(p384.toPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----";
        assertThatThrownBy(() -> KeyMaterial.publicKeyPem(pem384)).hasMessageContaining("expected: P-256");
        assertThatThrownBy(() -> KeyMaterial.keySet("{\"keys\": 7}")).hasMessageContaining("not a JWK Set");
        assertThatThrownBy(() -> KeyMaterial.hmacSecret("short")).hasMessage("5 bytes (expected: >= 32 bytes)");
    }

    @Test
    void settingsNameTheKeyOfEveryProblem() {
        assertThatThrownBy(() -> KeySetSettings.of("gateway.auth", Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty())).hasMessageStartingWith("gateway.auth: no key");
        assertThatThrownBy(() -> KeySetSettings.of("router.api.auth", Optional.of("short"), Optional.empty(),
                Optional.empty(), Optional.empty())).hasMessage("router.api.auth.hs256-secret: 5 bytes (expected: >= 32 bytes)");
        assertThatThrownBy(() -> KeySetSettings.of("gateway.auth", Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(java.net.URI.create("ftp://x/jwks")))).hasMessage(
                "gateway.auth.jwks-url: ftp://x/jwks (expected: an http or https URL)");
        assertThatThrownBy(() -> KeySetSettings.of("gateway.auth", Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(java.net.URI.create("http://x/jwks")))
                .withIntervals(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5),
                        java.time.Duration.ofSeconds(1))).hasMessageStartingWith("gateway.auth.jwks-refresh-interval: PT5S");
        assertThat(Instant.EPOCH).isNotNull();
    }
}
