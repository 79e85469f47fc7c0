package io.switchboard.client;

import io.switchboard.proto.client.v1.ClientFrame;

/**
 * One WebSocket connection to a gateway, as the client sees it. Thread-safe: sends are serialized (one write
 * path per connection). Exposed through {@link SwitchboardClient#transportForTesting()} so tests can cut a
 * connection abruptly.
 */
public interface Transport {
    /** Queues one frame; frames are written in call order. */
    void send(ClientFrame frame);

    /** Starts the closing handshake. */
    void close(int code, String reason);

    /** Drops the connection at once without a closing handshake, as a network failure would (close 1006). */
    void abort();
}
