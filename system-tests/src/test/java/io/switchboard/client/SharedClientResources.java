package io.switchboard.client;

import java.net.http.HttpClient;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the SDK clients of one end-to-end test class share, as a load generator's clients would: one HttpClient and
 * one scheduler. Closing stops both at once ({@code shutdownNow}), whatever the tests left open; hold it in an
 * {@code @AutoClose} field.
 */
record SharedClientResources(HttpClient http, ScheduledExecutorService scheduler) implements AutoCloseable {
    static SharedClientResources create() {
        return new SharedClientResources(HttpClient.newHttpClient(), Executors.newScheduledThreadPool(1));
    }

    @Override
    public void close() {
        try {
            scheduler.shutdownNow();
        } finally {
            http.shutdownNow();
        }
    }
}
