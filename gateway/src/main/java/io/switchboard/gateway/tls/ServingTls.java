package io.switchboard.gateway.tls;

import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsConfig;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The certificate the gateway serves, and its replacement when the files change. {@link #start} loads the files
 * (a broken pair fails the start); then {@link #check} (run every {@code gateway.tls.reload-interval} on the
 * gateway's timer) reads both files, and when their content differs from the last pair it looked at, parses and checks
 * the new pair ({@link ServingCertificate}) and hands it to the web server ({@code WebServer.reloadTls}): new
 * handshakes get the new certificate, established connections keep their session and are not touched. A broken pair
 * is logged once, counted, and the old certificate stays; the next change of the files is tried again.
 *
 * <p>Polling rather than a {@code WatchService}: it sees every way a file can change (editors, {@code mv}, a
 * Kubernetes Secret's symlink swap, network file systems) at the cost of reading two small files per interval.
 *
 * <p>Thread-safety: {@link #check} runs on one thread at a time (the timer); the fields it writes are read by no one
 * else.
 */
public final class ServingTls {
    private static final Logger LOG = Logger.getLogger(ServingTls.class.getName());

    private final TlsSettings settings;
    private final Clock clock;
    private final TlsMetrics metrics;
    private final Tls initial;
    // The digest of the last pair looked at, served or refused: an unchanged pair is not parsed again.
    private String lastDigest;

    private ServingTls(TlsSettings settings, Clock clock, TlsMetrics metrics, PemFiles files,
                       ServingCertificate certificate) {
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.initial = tls(certificate);
        this.lastDigest = files.digest();
        metrics.serving(certificate.leaf());
    }

    /**
     * Loads the configured pair.
     *
     * @throws IllegalStateException naming the files and the problem when the pair cannot be served
     */
    public static ServingTls start(TlsSettings settings, Clock clock, TlsMetrics metrics) {
        Objects.requireNonNull(settings, "settings");
        try {
            PemFiles files = PemFiles.read(settings);
            ServingCertificate certificate = ServingCertificate.parse(files, clock.instant());
            LOG.info("TLS: serving " + certificate.describe() + " from " + settings.certificate());
            return new ServingTls(settings, clock, metrics, files, certificate);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("gateway.tls: cannot serve " + settings.certificate() + " with "
                    + settings.privateKey() + ": " + e.getMessage(), e);
        }
    }

    /** The TLS configuration the web server starts with. */
    public Tls initial() {
        return initial;
    }

    public TlsSettings settings() {
        return settings;
    }

    /**
     * Reads the files; when they changed, installs the new pair through {@code install} or keeps the old one.
     *
     * @return true when a new certificate was installed
     */
    public boolean check(Consumer<Tls> install) {
        PemFiles files;
        try {
            files = PemFiles.read(settings);
        } catch (IOException e) {
            // A missing or unreadable file is a broken pair too, reported once until the files change again.
            String unreadable = "unreadable: " + e;
            if (!unreadable.equals(lastDigest)) {
                lastDigest = unreadable;
                refused(e);
            }
            return false;
        }
        if (files.digest().equals(lastDigest)) {
            return false;
        }
        lastDigest = files.digest();
        try {
            ServingCertificate certificate = ServingCertificate.parse(files, clock.instant());
            install.accept(tls(certificate));
            metrics.serving(certificate.leaf());
            metrics.reloaded(true);
            LOG.info("TLS: new handshakes get " + certificate.describe());
            return true;
        } catch (RuntimeException e) {
            refused(e);
            return false;
        }
    }

    private void refused(Exception e) {
        metrics.reloaded(false);
        LOG.log(Level.WARNING, "TLS: the changed files " + settings.certificate() + " and " + settings.privateKey()
                + " cannot be served, keeping the previous certificate: " + e.getMessage());
    }

    private Tls tls(ServingCertificate certificate) {
        TlsConfig.Builder builder = Tls.builder()
                .privateKey(certificate.key())
                .privateKeyCertChain(certificate.chain());
        if (!settings.protocols().isEmpty()) {
            builder.enabledProtocols(settings.protocols());
        }
        if (!settings.cipherSuites().isEmpty()) {
            builder.enabledCipherSuites(settings.cipherSuites());
        }
        return builder.build();
    }
}
