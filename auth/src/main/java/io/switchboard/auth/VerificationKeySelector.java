package io.switchboard.auth;

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
 * tries each until one verifies). Thread-safe.
 */
final class VerificationKeySelector implements JWSKeySelector<SecurityContext> {
    private final KeySet keys;

    VerificationKeySelector(KeySet keys) {
        this.keys = keys;
    }

    @Override
    public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
        List<Key> selected = new ArrayList<>();
        for (JWK jwk : keys.candidates(header)) {
            try {
                selected.add(KeyMaterial.javaKey(jwk));
            } catch (JOSEException e) {
                // A key of a published set nimbus can read but we cannot use (e.g. Ed448): skip it.
            }
        }
        return selected;
    }
}
