package io.switchboard.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.function.Consumer;

/** Test helper: a signing key of one algorithm, with or without kid, that mints tokens. */
record Signer(JWSAlgorithm alg, JWK key, JWSSigner signer) {
    static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");

    static Signer hs256(String secret) throws JOSEException {
        OctetSequenceKey key = new OctetSequenceKey.Builder(secret.getBytes(StandardCharsets.UTF_8)).build();
        return new Signer(JWSAlgorithm.HS256, key, new MACSigner(key));
    }

    static Signer rs256(String kid) throws JOSEException {
        RSAKey key = new RSAKeyGenerator(2048).keyID(kid).generate();
        return new Signer(JWSAlgorithm.RS256, key, new RSASSASigner(key));
    }

    static Signer es256(String kid) throws JOSEException {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        return new Signer(JWSAlgorithm.ES256, key, new ECDSASigner(key));
    }

    static Signer ed25519(String kid) throws JOSEException {
        OctetKeyPair key = new OctetKeyPairGenerator(Curve.Ed25519).keyID(kid).generate();
        return new Signer(JWSAlgorithm.EdDSA, key, new Ed25519Signer(key));
    }

    JWK publicKey() {
        return key.toPublicJWK() == null ? key : key.toPublicJWK();
    }

    String publicKeyPem() throws JOSEException {
        byte[] der = switch (key) {
            case RSAKey rsa -> rsa.toPublicKey().getEncoded();
            case ECKey ec -> ec.toPublicKey().getEncoded();
            case OctetKeyPair okp -> KeyMaterial.javaKey(okp.toPublicJWK()).getEncoded();
            default -> throw new IllegalStateException("no PEM for " + key.getKeyType());
        };
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** A token for {@code sub} issued at T0, valid one hour, signed with this key and its kid. */
    String token(String sub) {
        return token(sub, c -> { });
    }

    String token(String sub, Consumer<JWTClaimsSet.Builder> claims) {
        return token(new JWSHeader.Builder(alg).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), sub, claims);
    }

    String token(JWSHeader header, String sub, Consumer<JWTClaimsSet.Builder> claims) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject(sub).issueTime(Date.from(T0))
                .expirationTime(Date.from(T0.plusSeconds(3600)));
        claims.accept(b);
        SignedJWT jwt = new SignedJWT(header, b.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
