package io.switchboard.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The one parser of verification keys: PEM public keys (RSA, EC P-256, Ed25519), JWK Set JSON, a single JWK,
 * an HMAC secret; and the conversion of a JWK into the Java key nimbus' verifiers take (Ed25519 included,
 * which nimbus' own converter does not cover). Stateless and thread-safe.
 */
public final class KeyMaterial {
    /** The HS256 minimum (RFC 7518 section 3.2): nimbus refuses shorter secrets. */
    public static final int MIN_HS256_SECRET_BYTES = 32;

    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";
    /** DER SubjectPublicKeyInfo prefix of an Ed25519 key (OID 1.3.101.112); the raw 32 key bytes follow. */
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final int ED25519_KEY_BYTES = 32;

    private KeyMaterial() {
    }

    /** An HS256 key without {@code kid} from a secret used as its UTF-8 bytes. */
    public static OctetSequenceKey hmacSecret(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_HS256_SECRET_BYTES) {
            throw new IllegalArgumentException(bytes.length + " bytes (expected: >= " + MIN_HS256_SECRET_BYTES
                    + " bytes)");
        }
        return new OctetSequenceKey.Builder(bytes).keyUse(KeyUse.SIGNATURE).build();
    }

    /**
     * A public JWK without {@code kid} from a PEM {@code PUBLIC KEY} block holding an RSA, EC (P-256) or Ed25519
     * key.
     *
     * @throws IllegalArgumentException saying what is wrong with the text
     */
    public static JWK publicKeyPem(String pem) {
        int begin = pem.indexOf(BEGIN);
        int end = pem.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no '" + BEGIN + "' block");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PEM block is not base64: " + e.getMessage(), e);
        }
        return publicKeyDer(der);
    }

    private static JWK publicKeyDer(byte[] der) {
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            PublicKey key;
            try {
                key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                continue;
            }
            return publicJwk(key);
        }
        throw new IllegalArgumentException("not an RSA, EC or Ed25519 public key");
    }

    private static JWK publicJwk(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).keyUse(KeyUse.SIGNATURE).build();
        }
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (!Curve.P_256.equals(curve)) {
                throw new IllegalArgumentException("EC key on curve " + curve + " (expected: P-256 for ES256)");
            }
            return new ECKey.Builder(curve, ec).keyUse(KeyUse.SIGNATURE).build();
        }
        if (key instanceof EdECPublicKey) {
            byte[] encoded = key.getEncoded();
            byte[] raw = Arrays.copyOfRange(encoded, encoded.length - ED25519_KEY_BYTES, encoded.length);
            return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(raw)).keyUse(KeyUse.SIGNATURE).build();
        }
        throw new IllegalArgumentException("unsupported key type " + key.getAlgorithm());
    }

    /**
     * A key set from text: a JWK Set ({@code {"keys":[...]}}), a single JWK, or a PEM public key. Private key
     * members are dropped: only public keys (and HMAC secrets, which are symmetric) are kept.
     *
     * @throws IllegalArgumentException saying why the text is none of these
     */
    public static JWKSet keySet(String text) {
        String trimmed = text.strip();
        if (trimmed.startsWith("-----BEGIN")) {
            return new JWKSet(publicKeyPem(trimmed));
        }
        try {
            JWKSet set = trimmed.contains("\"keys\"") ? JWKSet.parse(trimmed) : new JWKSet(JWK.parse(trimmed));
            return set.toPublicJWKSet();
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a JWK Set, a JWK or a PEM public key: " + e.getMessage(), e);
        }
    }

    /**
     * The Java key a nimbus verifier takes for {@code jwk}: a secret key, an RSA, EC or Ed25519 public key.
     *
     * @throws JOSEException when the JWK cannot be converted (an unsupported curve)
     */
    public static Key javaKey(JWK jwk) throws JOSEException {
        if (jwk instanceof OctetSequenceKey oct) {
            return oct.toSecretKey();
        }
        if (jwk instanceof RSAKey rsa) {
            return rsa.toRSAPublicKey();
        }
        if (jwk instanceof ECKey ec) {
            return ec.toECPublicKey();
        }
        if (jwk instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            byte[] raw = okp.getX().decode();
            byte[] der = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + raw.length);
            System.arraycopy(raw, 0, der, ED25519_SPKI_PREFIX.length, raw.length);
            try {
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                throw new JOSEException("Ed25519 key " + jwk.getKeyID() + ": " + e.getMessage(), e);
            }
        }
        throw new JOSEException("unsupported key " + jwk.getKeyType() + " (expected: oct, RSA, EC or OKP Ed25519)");
    }

    /** The Ed25519 JWK of a Java Ed25519 public key (for nimbus' Tink-based verifier). */
    static OctetKeyPair ed25519Jwk(EdECPublicKey key) {
        return (OctetKeyPair) publicJwk(key);
    }
}
