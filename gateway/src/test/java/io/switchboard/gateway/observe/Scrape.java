package io.switchboard.gateway.observe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Reads one sample of a registry the way Prometheus would see it (the text exposition format). */
public final class Scrape {
    private Scrape() {
    }

    /**
     * The value of {@code sample} (name and labels as exposed, e.g. {@code a_total{reason="x"}}), or -1 when the
     * registry does not expose it.
     */
    public static double value(PrometheusRegistry registry, String sample) {
        var out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return -1;
    }
}
