package io.switchboard.devcerts;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed development certificate authority with an EC P-256 key, and the leaf certificates it issues.
 * Every certificate starts an hour before the clock's now (so that a peer whose clock is a little behind accepts
 * it) and lasts the given validity. The JDK's own providers do the key generation and signing; BouncyCastle only
 * builds the certificates.
 *
 * <p>Immutable, hence thread-safe ({@link SecureRandom} is).
 */
public final class CertificateAuthority {
    /** Back-dating of every certificate, for peers whose clocks are behind. */
    static final Duration BACKDATE = Duration.ofHours(1);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;
    private final InstantSource clock;

    private CertificateAuthority(X500Name name, KeyPair keys, X509Certificate certificate, InstantSource clock) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
        this.clock = clock;
    }

    /** A new authority named {@code commonName}, valid for {@code validity} from the system clock's now. */
    public static CertificateAuthority create(String commonName, Duration validity) {
        return create(commonName, validity, InstantSource.system());
    }

    /**
     * A new authority named {@code commonName} (a path length of 0: it signs leaves only).
     *
     * @throws IllegalArgumentException when {@code commonName} is blank or {@code validity} is not positive
     */
    public static CertificateAuthority create(String commonName, Duration validity, InstantSource clock) {
        X500Name name = commonName(commonName);
        requirePositive(validity);
        KeyPair keys = newKeyPair();
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(name, name, now, validity, keys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(name, keys, sign(builder, keys.getPrivate()), clock);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create the certificate authority " + commonName, e);
        }
    }

    /** The authority's own (self-signed) certificate: what peers trust. */
    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * Issues a leaf certificate for {@code spec}, valid for {@code validity}, with a new EC P-256 key.
     *
     * @throws IllegalArgumentException when {@code validity} is not positive
     */
    public IssuedCertificate issue(LeafSpec spec, Duration validity) {
        Objects.requireNonNull(spec, "spec");
        requirePositive(validity);
        KeyPair leafKeys = newKeyPair();
        List<GeneralName> sans = new ArrayList<>();
        spec.dnsNames().forEach(dns -> sans.add(new GeneralName(GeneralName.dNSName, dns)));
        spec.ipAddresses().forEach(ip -> sans.add(new GeneralName(GeneralName.iPAddress, ip)));
        List<KeyPurposeId> purposes = new ArrayList<>();
        if (spec.usage().server()) {
            purposes.add(KeyPurposeId.id_kp_serverAuth);
        }
        if (spec.usage().client()) {
            purposes.add(KeyPurposeId.id_kp_clientAuth);
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(name, commonName(spec.commonName()), clock.instant(),
                    validity, leafKeys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            ext.createSubjectKeyIdentifier(leafKeys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(certificate));
            if (!sans.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            return new IssuedCertificate(sign(builder, keys.getPrivate()), leafKeys.getPrivate(), certificate);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + spec.commonName(), e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, Instant now,
                                                    Duration validity, KeyPair subjectKeys) {
        // Positive 127-bit serials: unique enough that a browser never sees two certificates with one serial.
        BigInteger serial = new BigInteger(127, RANDOM);
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(BACKDATE)),
                Date.from(now.plus(validity)), subject, subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            ContentSigner contentSigner = new JcaContentSignerBuilder(SIGNATURE).build(signer);
            return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate EC P-256 keys", e);
        }
    }

    private static X500Name commonName(String commonName) {
        Objects.requireNonNull(commonName, "commonName");
        if (commonName.isBlank()) {
            throw new IllegalArgumentException("commonName: '" + commonName + "' (expected: non-blank)");
        }
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Switchboard development")
                .addRDN(BCStyle.CN, commonName).build();
    }

    private static void requirePositive(Duration validity) {
        Objects.requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity: " + validity + " (expected: > 0)");
        }
    }
}
