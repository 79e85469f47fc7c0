package io.switchboard.bench.baseline;

import java.net.URI;

/** A running baseline broadcast server: where to connect, and how to stop it. */
public interface BroadcastServer extends AutoCloseable {
    /** The WebSocket endpoint, {@code ws://127.0.0.1:PORT/ws}. */
    URI webSocketUri();

    /** Stops the server; safe to call more than once. */
    @Override
    void close();
}
