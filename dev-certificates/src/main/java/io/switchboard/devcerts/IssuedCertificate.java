package io.switchboard.devcerts;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A leaf certificate, its private key and the authority that signed it; written as PEM files by
 * {@link #write(Path, String)}. Immutable, hence thread-safe.
 *
 * @param certificate the leaf
 * @param privateKey  its key (EC P-256)
 * @param authority   the signing authority's certificate
 */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey, X509Certificate authority) {
    public IssuedCertificate {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(authority, "authority");
    }

    /** The chain a server or client presents, leaf first, as PEM. */
    public String chainPem() {
        return pem(List.of(certificate, authority));
    }

    /** The private key as unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}). */
    public String privateKeyPem() {
        // The JDK encodes private keys as PKCS#8 DER: the form every TLS stack here reads (Netty, Kafka, OpenSSL).
        return pem(List.of(new PemObject("PRIVATE KEY", privateKey.getEncoded())));
    }

    /** The authority's certificate as PEM: the bundle peers trust. */
    public String authorityPem() {
        return pem(List.of(authority));
    }

    /**
     * Writes {@code <name>.crt} (the chain), {@code <name>.key} (PKCS#8, readable by the owner only where the file
     * system has POSIX permissions) and {@code ca.crt} (the authority) into {@code directory}, creating it, and
     * replacing files of those names.
     *
     * @throws UncheckedIOException when a file cannot be written
     */
    public PemFiles write(Path directory, String name) {
        try {
            Files.createDirectories(directory);
            Path chain = Files.writeString(directory.resolve(name + ".crt"), chainPem(), StandardCharsets.US_ASCII);
            Path key = directory.resolve(name + ".key");
            Files.deleteIfExists(key);
            if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(key, privateKeyPem(), StandardCharsets.US_ASCII);
            Path ca = Files.writeString(directory.resolve("ca.crt"), authorityPem(), StandardCharsets.US_ASCII);
            return new PemFiles(chain, key, ca);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the certificate " + name + " into " + directory, e);
        }
    }

    static String pem(List<?> objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            // A StringWriter does not fail; an object BouncyCastle cannot encode does.
            throw new IllegalStateException("cannot encode as PEM", e);
        }
        return out.toString();
    }
}
