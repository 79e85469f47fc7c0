package io.switchboard.client;

import io.switchboard.proto.client.v1.ServerFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real WebSocket connector, counting the WebSocket messages its connections receive: a {@code Batch} counts once,
 * however many frames it holds. Thread-safe.
 */
final class CountingConnector implements TransportConnector {
    private final TransportConnector real;
    private final AtomicInteger messages = new AtomicInteger();

    /** @param batching offer the batching subprotocol, as the client's default connector does */
    CountingConnector(HttpClient http, boolean batching) {
        this.real = new JdkWebSocketConnector(http, Duration.ofSeconds(10), batching);
    }

    @Override
    public CompletionStage<Transport> connect(URI uri, Listener listener) {
        return real.connect(uri, new Listener() {
            @Override
            public void onFrame(ServerFrame frame) {
                messages.incrementAndGet();
                listener.onFrame(frame);
            }

            @Override
            public void onClosed(int code, String reason) {
                listener.onClosed(code, reason);
            }
        });
    }

    /** WebSocket messages received so far, on every connection this connector opened. */
    int messages() {
        return messages.get();
    }
}
