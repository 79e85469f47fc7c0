package io.switchboard.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import java.security.Key;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each key's Java key and verifier are built once per key instance, never shared with another key. */
class VerifierReuseTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void aKeysVerifierIsBuiltOnceAndAnotherKeyGetsItsOwn() throws Exception {
        for (Signer signer : List.of(Signer.hs256(SECRET), Signer.rs256("r1"), Signer.es256("e1"),
                Signer.ed25519("d1"))) {
            JWK jwk = signer.publicKey();
            VerificationKeySelector selector = new VerificationKeySelector(KeySet.of(List.of(jwk)));
            JWSHeader header = new JWSHeader.Builder(signer.alg()).keyID(jwk.getKeyID()).build();
            Key key = selector.selectJWSKeys(header, null).getFirst();
            assertThat(selector.selectJWSKeys(header, null).getFirst()).as(signer.alg().getName()).isSameAs(key);

            EdDsaVerifierFactory factory = new EdDsaVerifierFactory();
            JWSVerifier verifier = factory.createJWSVerifier(header, key);
            assertThat(factory.createJWSVerifier(header, key)).as(signer.alg().getName()).isSameAs(verifier);
            // The same key material in another instance (a re-read key set) gets a verifier of its own.
            Key reread = KeyMaterial.javaKey(JWK.parse(jwk.toJSONString()));
            assertThat(factory.createJWSVerifier(header, reread)).as(signer.alg().getName()).isNotSameAs(verifier);
        }
    }

    @Test
    void aCachedVerifierIsNotHandedOutForAnotherAlgorithmFamily() throws Exception {
        Signer hs = Signer.hs256(SECRET);
        Key secret = KeyMaterial.javaKey(hs.publicKey());
        EdDsaVerifierFactory factory = new EdDsaVerifierFactory();
        factory.createJWSVerifier(new JWSHeader(JWSAlgorithm.HS256), secret);
        assertThatThrownBy(() -> factory.createJWSVerifier(new JWSHeader(JWSAlgorithm.RS256), secret))
                .isInstanceOf(JOSEException.class);
        assertThatThrownBy(() -> factory.createJWSVerifier(new JWSHeader(JWSAlgorithm.EdDSA), secret))
                .isInstanceOf(JOSEException.class);
    }
}
