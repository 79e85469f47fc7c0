package io.switchboard.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads one sample from a {@code /metrics} page in the Prometheus text format. Stateless. */
public final class MetricsScrape {
    private MetricsScrape() {
    }

    /**
     * The value of {@code sample} (the metric name with its labels as the page prints them, e.g.
     * {@code gateway_subprotocols_negotiated_total{subprotocol="switchboard.v1.proto"}}), or 0 when absent.
     */
    public static double sample(HttpClient http, URI metrics, String sample) {
        String body;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(metrics + " answered " + response.statusCode());
            }
            body = response.body();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + metrics, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        for (String line : body.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return 0;
    }
}
