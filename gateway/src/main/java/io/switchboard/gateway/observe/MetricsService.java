package io.switchboard.gateway.observe;

import java.io.IOException;
import java.io.OutputStream;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Serves {@code GET /metrics} in the Prometheus text format from one registry. Thread-safe. */
public final class MetricsService implements HttpService {
    private final PrometheusRegistry registry;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public MetricsService(PrometheusRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::scrape);
    }

    private void scrape(ServerRequest req, ServerResponse res) throws IOException {
        res.header(HeaderNames.CONTENT_TYPE, writer.getContentType());
        try (OutputStream out = res.outputStream()) {
            writer.write(out, registry.scrape());
        }
    }
}
