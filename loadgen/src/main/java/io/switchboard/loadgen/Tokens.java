package io.switchboard.loadgen;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jwt.JWTClaimsSet;
import io.switchboard.auth.TokenSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Mints tokens the way an application's auth server would ({@link TokenSpec}: HS256 with a secret, or RS256 / ES256
 * with a private key): {@code sub}, {@code exp}, {@code iss} and {@code aud} when given and, for a client with a
 * room, a {@code rooms} claim granting it subscribe and publish there (the gateway denies rooms a token does not
 * grant). Thread-safe.
 */
final class Tokens {
    private static final Duration LIFETIME = Duration.ofHours(6);
    private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_END = "-----END PRIVATE KEY-----";

    private final TokenSpec spec;
    private final TokenSigner signer;

    Tokens(TokenSpec spec) {
        this.spec = spec;
        try {
            if (spec.asymmetric()) {
                PrivateKey key = privateKey(Path.of(spec.keyFile()));
                if (key instanceof RSAPrivateKey rsa) {
                    signer = TokenSigner.of(new RSASSASigner(rsa), JWSAlgorithm.RS256, spec.keyId());
                } else {
                    // privateKey() reads RSA and EC keys only. ES256 for P-256; ES384 or ES512 for the larger curves.
                    ECPrivateKey ec = (ECPrivateKey) key;
                    signer = TokenSigner.of(new ECDSASigner(ec), ECDSA.resolveAlgorithm(ec), spec.keyId());
                }
            } else {
                signer = TokenSigner.hs256(spec.secret(), spec.keyId());
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("--token-key " + spec.keyFile() + ": " + e.getMessage(), e);
        }
    }

    /** The PKCS#8 private key of a PEM file, RSA or EC. */
    static PrivateKey privateKey(Path pem) {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("--token-key " + pem + ": " + e.getMessage(), e);
        }
        int begin = text.indexOf(PEM_BEGIN);
        int end = text.indexOf(PEM_END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("--token-key " + pem + ": no " + PEM_BEGIN
                    + " block (expected: a PKCS#8 PEM key, e.g. from openssl genpkey)");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + PEM_BEGIN.length(), end));
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not a key of this algorithm: try the next
            }
        }
        throw new IllegalArgumentException("--token-key " + pem + ": not an RSA or EC private key");
    }

    /** A token for {@code user}; {@code room} (null for none) granted for subscribe and publish. */
    String token(String user, String room) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(user).issueTime(Date.from(now)).expirationTime(Date.from(now.plus(LIFETIME)));
        if (spec.issuer() != null) {
            claims.issuer(spec.issuer());
        }
        if (spec.audience() != null) {
            claims.audience(spec.audience());
        }
        if (room != null) {
            claims.claim("rooms", Map.of(room, List.of("subscribe", "publish")));
        }
        return signer.sign(claims.build());
    }
}
