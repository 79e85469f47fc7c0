package io.switchboard.devcerts;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one party's PEM files are: what a TLS setting of the platform takes ({@code *.tls.certificate},
 * {@code *.tls.private-key}, {@code *.tls.trust-certificates}). Immutable.
 *
 * @param certificateChain the leaf then the authority
 * @param privateKey       unencrypted PKCS#8
 * @param caBundle         the authority's certificate, to trust peers by
 */
public record PemFiles(Path certificateChain, Path privateKey, Path caBundle) {
    public PemFiles {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(caBundle, "caBundle");
    }
}
