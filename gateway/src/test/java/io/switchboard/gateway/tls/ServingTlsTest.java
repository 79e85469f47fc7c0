package io.switchboard.gateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.common.tls.Tls;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.switchboard.devcerts.CertificateAuthority;
import io.switchboard.devcerts.IssuedCertificate;
import io.switchboard.devcerts.LeafSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ServingTls} without a server: what it installs when the files change, and what it refuses (a key of another
 * certificate, an expired certificate, garbage, a missing file) without installing anything, counting each refusal
 * once.
 */
class ServingTlsTest {
    private static final CertificateAuthority CA = CertificateAuthority.create("ServingTlsTest CA", Duration.ofDays(2));

    @TempDir
    Path dir;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final TlsMetrics metrics = new TlsMetrics(registry);
    private final List<Tls> installed = new ArrayList<>();

    private TlsSettings settings() {
        return new TlsSettings(dir.resolve("tls.crt"), dir.resolve("tls.key"), Duration.ofSeconds(1), List.of(),
                List.of());
    }

    @Test
    void aChangedValidPairIsInstalledOnceAndAnUnchangedOneNotAtAll() throws Exception {
        IssuedCertificate first = written("first", Duration.ofDays(1));
        ServingTls tls = ServingTls.start(settings(), Clock.systemUTC(), metrics);
        assertThat(expiry()).isEqualTo(first.certificate().getNotAfter().toInstant().getEpochSecond());

        assertThat(tls.check(installed::add)).isFalse();
        IssuedCertificate second = written("second", Duration.ofHours(3));
        assertThat(tls.check(installed::add)).isTrue();
        assertThat(tls.check(installed::add)).isFalse();

        assertThat(installed).hasSize(1);
        assertThat(installed.getFirst().prototype().privateKeyCertChain().getFirst()).isEqualTo(second.certificate());
        assertThat(reloads("ok")).isEqualTo(1);
        assertThat(reloads("failed")).isZero();
        assertThat(expiry()).isEqualTo(second.certificate().getNotAfter().toInstant().getEpochSecond());
    }

    @Test
    void brokenReplacementsAreRefusedAndCountedOnceEach() throws Exception {
        IssuedCertificate served = CA.issue(LeafSpec.loopback("served"), Duration.ofDays(1));
        IssuedCertificate other = CA.issue(LeafSpec.loopback("other"), Duration.ofDays(1));
        write(served.chainPem(), served.privateKeyPem());
        ServingTls tls = ServingTls.start(settings(), Clock.systemUTC(), metrics);

        write(other.chainPem(), served.privateKeyPem()); // the key of another certificate
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(ServingTls.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try {
            assertThat(tls.check(installed::add)).isFalse();
            assertThat(tls.check(installed::add)).isFalse(); // the same broken pair: not counted or logged again
        } finally {
            log.removeHandler(handler);
        }
        assertThat(reloads("failed")).isEqualTo(1);
        assertThat(warnings).singleElement().extracting(LogRecord::getMessage).asString()
                .contains("keeping the previous certificate", "the private key does not match the certificate");

        write("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", served.privateKeyPem());
        assertThat(tls.check(installed::add)).isFalse();
        assertThat(reloads("failed")).isEqualTo(2);

        Files.delete(dir.resolve("tls.key"));
        assertThat(tls.check(installed::add)).isFalse();
        assertThat(tls.check(installed::add)).isFalse();
        assertThat(reloads("failed")).isEqualTo(3);

        assertThat(installed).isEmpty();
        assertThat(expiry()).isEqualTo(served.certificate().getNotAfter().toInstant().getEpochSecond());

        // Repaired: served again.
        write(other.chainPem(), other.privateKeyPem());
        assertThat(tls.check(installed::add)).isTrue();
        assertThat(reloads("ok")).isEqualTo(1);
    }

    @Test
    void anExpiredCertificateIsRefusedAtStartAndOnReload() throws Exception {
        written("short", Duration.ofHours(1));
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC);
        assertThatThrownBy(() -> ServingTls.start(settings(), later, metrics))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gateway.tls")
                .hasMessageContaining("is not valid at");

        written("valid", Duration.ofDays(1));
        ServingTls tls = ServingTls.start(settings(), later, metrics);
        written("expires", Duration.ofMinutes(30));
        assertThat(tls.check(installed::add)).isFalse();
        assertThat(reloads("failed")).isEqualTo(1);
    }

    @Test
    void aKeyOfAnotherCertificateFailsTheStartWithTheReason() throws Exception {
        IssuedCertificate one = CA.issue(LeafSpec.loopback("one"), Duration.ofDays(1));
        IssuedCertificate two = CA.issue(LeafSpec.loopback("two"), Duration.ofDays(1));
        write(one.chainPem(), two.privateKeyPem());
        assertThatThrownBy(() -> ServingTls.start(settings(), Clock.systemUTC(), metrics))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the private key does not match the certificate");
    }

    /** Issues a loopback certificate valid for {@code validity} and writes it with its own key. */
    private IssuedCertificate written(String name, Duration validity) throws Exception {
        IssuedCertificate issued = CA.issue(LeafSpec.loopback(name), validity);
        write(issued.chainPem(), issued.privateKeyPem());
        return issued;
    }

    /** Writes both files as an operator should: each to a temporary file, then renamed over the old one. */
    private void write(String chain, String key) throws Exception {
        replace(dir.resolve("tls.crt"), chain);
        replace(dir.resolve("tls.key"), key);
    }

    private void replace(Path target, String content) throws Exception {
        Path temporary = Files.writeString(dir.resolve(target.getFileName() + ".new"), content, StandardCharsets.US_ASCII);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private double reloads(String result) {
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (snapshot instanceof CounterSnapshot counter && counter.getMetadata().getName().equals("gateway_tls_reloads")) {
                return counter.getDataPoints().stream().filter(d -> d.getLabels().get("result").equals(result))
                        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
            }
        }
        throw new AssertionError("gateway_tls_reloads is not registered");
    }

    private double expiry() {
        for (MetricSnapshot snapshot : registry.scrape()) {
            if (snapshot instanceof GaugeSnapshot gauge
                    && gauge.getMetadata().getName().equals("gateway_tls_certificate_expiry_timestamp_seconds")) {
                return gauge.getDataPoints().getFirst().getValue();
            }
        }
        throw new AssertionError("gateway_tls_certificate_expiry_timestamp_seconds is not registered");
    }
}
