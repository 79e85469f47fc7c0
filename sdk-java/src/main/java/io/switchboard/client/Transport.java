package io.switchboard.client;

import io.switchboard.proto.client.v1.ClientFrame;

/**
 * One WebSocket connection to a gateway, as the client sees it. Thread-safe: sends are serialized (one write
 * path per connection). Opened by a {@link TransportConnector}, the seam where tests put a fake or cut a real
 * connection.
 */
interface Transport {
    /** Queues one frame; frames are written in call order. */
    void send(ClientFrame frame);

    /** Starts the closing handshake. */
    void close(int code, String reason);

    /** Drops the connection at once without a closing handshake, as a network failure would (close 1006). */
    void abort();
}
