package io.switchboard.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A real connector (the WebSocket one by default), remembering the connection it opened last so that a test can cut it as a network
 * failure would, and keep the network down for as long as it likes. Thread-safe.
 */
final class CuttableConnector implements TransportConnector {
    private final TransportConnector real;
    private volatile Transport last;
    private volatile boolean down;

    CuttableConnector(HttpClient http) {
        this(new JdkWebSocketConnector(http, Duration.ofSeconds(10), true));
    }

    /** Around another connector (e.g. the HTTP fallback's). */
    CuttableConnector(TransportConnector real) {
        this.real = real;
    }

    @Override
    public CompletionStage<Transport> connect(URI uri, Listener listener) {
        if (down) {
            return CompletableFuture.failedFuture(new IOException("network down (test)"));
        }
        return real.connect(uri, listener).thenApply(transport -> {
            last = transport;
            return transport;
        });
    }

    /** Drops the latest connection at once, without a closing handshake (the client sees close 1006). */
    void cut() {
        Transport transport = last;
        if (transport == null) {
            throw new IllegalStateException("no connection opened yet");
        }
        transport.abort();
    }

    /** Cuts the latest connection and fails every new one until {@link #restore()}. */
    void cutAndStayDown() {
        down = true;
        cut();
    }

    /** Lets connections through again. */
    void restore() {
        down = false;
    }
}
