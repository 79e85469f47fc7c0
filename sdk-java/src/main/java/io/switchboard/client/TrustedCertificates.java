package io.switchboard.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An {@link SSLContext} that trusts exactly the given certificate authorities, for {@code wss://} to a gateway whose
 * certificate comes from a private CA (a development CA, a company CA). Pass it to
 * {@link SwitchboardClient.Builder#sslContext}. Gateways with a publicly trusted certificate need none of this: the
 * JDK's trust store is the default. Hostname verification stays on: the gateway's certificate must name the host of
 * the URL. Stateless, hence thread-safe.
 */
public final class TrustedCertificates {
    private TrustedCertificates() {
    }

    /**
     * Trusts the certificates of a PEM bundle ({@code -----BEGIN CERTIFICATE-----} blocks, e.g. {@code ca.crt}).
     *
     * @throws IllegalArgumentException when the file holds no certificate or one that cannot be parsed
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static SSLContext fromPem(Path caBundle) {
        Objects.requireNonNull(caBundle, "caBundle");
        try (InputStream in = Files.newInputStream(caBundle)) {
            Collection<? extends Certificate> certificates =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("caBundle: " + caBundle + " (expected: PEM certificates)");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            return context(store);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + caBundle, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("caBundle: " + caBundle + " (expected: PEM certificates): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Trusts the certificates of a key store file (PKCS#12 or JKS, the type is detected).
     *
     * @param password the store's password, or null when it has none
     * @throws IllegalArgumentException when the store cannot be opened
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static SSLContext fromKeyStore(Path trustStore, char[] password) {
        Objects.requireNonNull(trustStore, "trustStore");
        try {
            return context(KeyStore.getInstance(trustStore.toFile(), password));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + trustStore, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("trustStore: " + trustStore + " (expected: a PKCS#12 or JKS store): "
                    + e.getMessage(), e);
        }
    }

    private static SSLContext context(KeyStore trusted) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
