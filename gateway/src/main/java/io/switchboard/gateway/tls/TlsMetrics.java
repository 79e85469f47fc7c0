package io.switchboard.gateway.tls;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The gateway's TLS metrics, registered whether TLS is on or not (an SRE's query reads zero rather than nothing):
 * certificate reloads by result, and the expiry of the certificate new handshakes get. Thread-safe.
 */
public final class TlsMetrics implements AutoCloseable {
    private final PrometheusRegistry registry;
    private final Counter reloads;
    private final Gauge expiry;

    public TlsMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        reloads = Counter.builder().name("gateway_tls_reloads")
                .help("Certificate reloads after gateway.tls.certificate or gateway.tls.private-key changed, by result"
                        + " (ok: new handshakes get the new certificate; failed: the old one is kept)")
                .labelNames("result").register(registry);
        reloads.initLabelValues("ok");
        reloads.initLabelValues("failed");
        expiry = Gauge.builder().name("gateway_tls_certificate_expiry_timestamp_seconds")
                .help("notAfter of the certificate the gateway serves to new TLS handshakes, in Unix seconds"
                        + " (0 without TLS)")
                .register(registry);
    }

    void serving(X509Certificate leaf) {
        expiry.set(leaf.getNotAfter().toInstant().getEpochSecond());
    }

    void reloaded(boolean ok) {
        reloads.labelValues(ok ? "ok" : "failed").inc();
    }

    @Override
    public void close() {
        List.of(reloads, expiry).forEach(registry::unregister);
    }
}
