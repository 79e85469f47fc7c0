package io.switchboard.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Signs the platform's own tokens, the counterpart of {@link TokenVerifier}: the demo's token endpoint, the gateway's
 * connect warm-up and the load generator sign with it (an application's tokens come from its own auth server). One
 * key and algorithm, an optional {@code kid} in every header. Thread-safe (nimbus' signers are).
 */
public final class TokenSigner {
    private final JWSSigner signer;
    private final JWSHeader header;

    private TokenSigner(JWSSigner signer, JWSHeader header) {
        this.signer = signer;
        this.header = header;
    }

    /**
     * HS256 with {@code secret}'s UTF-8 bytes and no {@code kid}.
     *
     * @throws IllegalArgumentException when the secret is shorter than {@value KeyMaterial#MIN_HS256_SECRET_BYTES} bytes
     */
    public static TokenSigner hs256(String secret) {
        return hs256(secret, null);
    }

    /**
     * HS256 with {@code secret}'s UTF-8 bytes, {@code keyId} (null: none) in every header.
     *
     * @throws IllegalArgumentException when the secret is shorter than {@value KeyMaterial#MIN_HS256_SECRET_BYTES} bytes
     */
    public static TokenSigner hs256(String secret, String keyId) {
        OctetSequenceKey key;
        try {
            key = KeyMaterial.hmacSecret(secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hs256 secret: " + e.getMessage(), e);
        }
        try {
            return of(new MACSigner(key), JWSAlgorithm.HS256, keyId);
        } catch (JOSEException e) {
            throw new IllegalStateException("hs256 secret of " + KeyMaterial.MIN_HS256_SECRET_BYTES
                    + " bytes or more refused: " + e.getMessage(), e);
        }
    }

    /** {@code signer}'s key with {@code algorithm} (one the signer supports), {@code keyId} (null: none). */
    public static TokenSigner of(JWSSigner signer, JWSAlgorithm algorithm, String keyId) {
        if (!signer.supportedJWSAlgorithms().contains(algorithm)) {
            throw new IllegalArgumentException(algorithm + ": not an algorithm of this key (expected one of "
                    + signer.supportedJWSAlgorithms() + ")");
        }
        return new TokenSigner(signer, new JWSHeader.Builder(algorithm).keyID(keyId).build());
    }

    /** The compact serialization of {@code claims}, signed. */
    public String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            // The key and algorithm were checked when this signer was made; what is left is a broken provider.
            throw new IllegalStateException("token not signed: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
