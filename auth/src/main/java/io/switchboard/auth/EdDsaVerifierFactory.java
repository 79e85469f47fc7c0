package io.switchboard.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.proc.JWSVerifierFactory;
import java.security.Key;
import java.security.interfaces.EdECPublicKey;
import java.util.HashSet;
import java.util.Set;

/**
 * nimbus' default verifier factory plus EdDSA with Ed25519 keys (nimbus' {@link Ed25519Verifier}, which runs
 * on Tink), which the default factory does not create. Thread-safe.
 */
final class EdDsaVerifierFactory implements JWSVerifierFactory {
    private final DefaultJWSVerifierFactory defaults = new DefaultJWSVerifierFactory();

    @Override
    public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
        if (JWSAlgorithm.EdDSA.equals(header.getAlgorithm()) || JWSAlgorithm.Ed25519.equals(header.getAlgorithm())) {
            if (key instanceof EdECPublicKey ed) {
                return new Ed25519Verifier(KeyMaterial.ed25519Jwk(ed));
            }
            throw new JOSEException("EdDSA needs an Ed25519 key, not " + key.getAlgorithm());
        }
        return defaults.createJWSVerifier(header, key);
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        Set<JWSAlgorithm> algorithms = new HashSet<>(defaults.supportedJWSAlgorithms());
        algorithms.add(JWSAlgorithm.EdDSA);
        return algorithms;
    }

    @Override
    public JCAContext getJCAContext() {
        return defaults.getJCAContext();
    }
}
