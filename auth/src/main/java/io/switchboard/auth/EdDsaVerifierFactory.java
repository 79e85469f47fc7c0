package io.switchboard.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
 * on Tink), which the default factory does not create; each key's verifier is built once and reused.
 *
 * <p>nimbus' processor asks for a verifier on every token. The verifiers are immutable and thread-safe
 * ({@code @ThreadSafe}: {@code MACVerifier}, {@code RSASSAVerifier} and {@code ECDSAVerifier} take a fresh
 * {@code Mac} or {@code Signature} per call; {@code Ed25519Verifier} holds an immutable Tink verifier), and a
 * verifier checks the header's {@code alg} itself on every call, so one per key serves every token. Building one
 * is not free: an EC verifier checks that the key's point is on its curve, an Ed25519 one decodes the point, a MAC
 * one copies the secret. Keys are those of {@link VerificationKeySelector}, the same instance for as long as the
 * key set holds the key; they are held weakly, by identity, so a rotated key gets a new verifier and a retired
 * one's goes with its key. Thread-safe.
 */
final class EdDsaVerifierFactory implements JWSVerifierFactory {
    private final DefaultJWSVerifierFactory defaults = new DefaultJWSVerifierFactory();
    private final Cache<Key, JWSVerifier> verifiers = Caffeine.newBuilder()
            .weakKeys()
            .maximumSize(VerificationKeySelector.MAX_CACHED_KEYS)
            .build();

    @Override
    public JWSVerifier createJWSVerifier(JWSHeader header, Key key) throws JOSEException {
        JWSVerifier cached = verifiers.getIfPresent(key);
        if (cached != null && cached.supportedJWSAlgorithms().contains(header.getAlgorithm())) {
            return cached;
        }
        // Built outside the cache: a key of the wrong type for the header's algorithm fails as it always did.
        JWSVerifier built = create(header, key);
        verifiers.put(key, built);
        return built;
    }

    private JWSVerifier create(JWSHeader header, Key key) throws JOSEException {
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
