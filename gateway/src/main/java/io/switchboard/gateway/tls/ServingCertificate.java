package io.switchboard.gateway.tls;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;

/**
 * A certificate chain and its private key, parsed from {@link PemFiles} and checked before they are served: the chain
 * is not empty, the key belongs to the leaf (a test signature verifies with the leaf's public key) and the leaf is
 * valid now. Immutable.
 *
 * @param chain the chain, leaf first
 * @param key   the leaf's private key
 */
record ServingCertificate(List<X509Certificate> chain, PrivateKey key) {
    ServingCertificate {
        chain = List.copyOf(chain);
    }

    /**
     * Parses and checks {@code files}.
     *
     * @throws IllegalArgumentException naming what is wrong with the pair
     */
    static ServingCertificate parse(PemFiles files, Instant now) {
        Keys keys;
        try {
            keys = Keys.builder().pem(pem -> pem
                    .certChain(Resource.create("gateway.tls.certificate", files.certificate()))
                    .key(Resource.create("gateway.tls.private-key", files.privateKey()))).build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable PEM: " + e.getMessage(), e);
        }
        List<X509Certificate> chain = keys.certChain();
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("gateway.tls.certificate holds no certificate");
        }
        PrivateKey key = keys.privateKey().orElseThrow(() ->
                new IllegalArgumentException("gateway.tls.private-key holds no private key"));
        X509Certificate leaf = chain.getFirst();
        if (!belongTogether(key, leaf.getPublicKey())) {
            throw new IllegalArgumentException("the private key does not match the certificate " + describe(leaf));
        }
        try {
            leaf.checkValidity(Date.from(now));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new IllegalArgumentException("the certificate " + describe(leaf) + " is not valid at " + now, e);
        }
        return new ServingCertificate(chain, key);
    }

    X509Certificate leaf() {
        return chain.getFirst();
    }

    /** Subject, serial, issuer and expiry of the leaf, for logs. */
    String describe() {
        return describe(leaf());
    }

    private static String describe(X509Certificate cert) {
        return "'" + cert.getSubjectX500Principal().getName() + "' (serial " + cert.getSerialNumber().toString(16)
                + ", issuer '" + cert.getIssuerX500Principal().getName() + "', valid until "
                + cert.getNotAfter().toInstant() + ")";
    }

    /** Signs a random challenge with {@code key} and verifies it with {@code publicKey}. */
    private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
        if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "ED25519", "ED448", "EDDSA" -> key.getAlgorithm();
            default -> throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm()
                    + " (expected: RSA, EC or EdDSA)");
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
