package io.switchboard.gateway.tls;

import io.switchboard.service.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The gateway's TLS configuration ({@code gateway.tls.*}), validated by the key catalogue. Immutable.
 *
 * @param certificate    the PEM certificate chain file
 * @param privateKey     the PEM private key file
 * @param reloadInterval how often the files are compared with what is served
 * @param protocols      enabled protocol versions; empty for the JDK's defaults
 * @param cipherSuites   enabled cipher suites; empty for the JDK's defaults
 */
public record TlsSettings(Path certificate, Path privateKey, Duration reloadInterval, List<String> protocols,
                          List<String> cipherSuites) {
    public TlsSettings {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(reloadInterval, "reloadInterval");
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
    }

    /** The settings when {@code gateway.tls.certificate} is set; empty for a plain gateway. */
    public static Optional<TlsSettings> from(Settings s) {
        return s.find(TlsKeys.CERTIFICATE).map(certificate -> new TlsSettings(certificate,
                s.get(TlsKeys.PRIVATE_KEY), s.get(TlsKeys.RELOAD_INTERVAL), s.find(TlsKeys.PROTOCOLS).orElse(List.of()),
                s.find(TlsKeys.CIPHER_SUITES).orElse(List.of())));
    }
}
