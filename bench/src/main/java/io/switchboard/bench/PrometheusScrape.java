package io.switchboard.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads one counter from a Prometheus text-format {@code /metrics} endpoint: the sum of every sample of that
 * name whose labels contain the given text. Thread-safe.
 */
public final class PrometheusScrape {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Sums the samples of {@code name} (e.g. {@code gateway_history_reads_total}) whose label set contains
     * {@code labels} (e.g. {@code kind="resume"}; empty: every sample); 0 when there is none yet (a labelled
     * counter appears only once incremented).
     */
    public long sum(URI metrics, String name, String labels) {
        String body;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10))
                    .header("Accept", "text/plain").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + metrics + ": HTTP " + response.statusCode());
            }
            body = response.body();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + metrics + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + metrics, e);
        }
        double total = 0;
        for (String line : body.split("\n")) {
            if (!line.startsWith(name) || line.startsWith("#")) {
                continue;
            }
            String rest = line.substring(name.length());
            String labelSet = "";
            if (rest.startsWith("{")) {
                int end = rest.indexOf('}');
                labelSet = rest.substring(1, end);
                rest = rest.substring(end + 1);
            } else if (!rest.startsWith(" ")) {
                continue; // another metric whose name starts with this one
            }
            if (labelSet.contains(labels)) {
                total += Double.parseDouble(rest.trim().split(" ")[0]);
            }
        }
        return Math.round(total);
    }
}
