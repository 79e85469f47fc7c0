package io.switchboard.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.Key;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands nimbus' processor the Java keys of the {@link KeySet}'s candidates for a token's header (the processor
 * tries each until one verifies). Each JWK is converted once (an RSA, EC or Ed25519 key through a
 * {@code KeyFactory} is the costly part), and the same {@link Key} instance is handed out for as long as the key
 * set holds that JWK, so that {@link EdDsaVerifierFactory} can reuse the verifier it built for it. Thread-safe.
 */
final class VerificationKeySelector implements JWSKeySelector<SecurityContext> {
    /** Keys converted and kept at most (a backstop: a key set is bounded to 512 KB of JSON, a few hundred keys). */
    static final int MAX_CACHED_KEYS = 1024;

    private final KeySet keys;
    // By JWK identity, weakly: a refreshed file or URL yields new JWK instances (a rotated key gets a new Java
    // key), and the entries of a set the KeySet no longer holds go with its JWKs at the next collection.
    private final Cache<JWK, Key> javaKeys = Caffeine.newBuilder()
            .weakKeys()
            .maximumSize(MAX_CACHED_KEYS)
            .build();

    VerificationKeySelector(KeySet keys) {
        this.keys = keys;
    }

    @Override
    public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
        List<JWK> candidates = keys.candidates(header);
        List<Key> selected = new ArrayList<>(candidates.size());
        for (JWK jwk : candidates) {
            Key key = javaKeys.get(jwk, VerificationKeySelector::javaKeyOrNull);
            if (key != null) {
                selected.add(key);
            }
        }
        return selected;
    }

    /**
     * The Java key of {@code jwk}, or null (nothing cached, the key skipped) for a key of a published set nimbus can
     * read but we cannot use (e.g. Ed448).
     */
    private static Key javaKeyOrNull(JWK jwk) {
        try {
            return KeyMaterial.javaKey(jwk);
        } catch (JOSEException e) {
            return null;
        }
    }
}
