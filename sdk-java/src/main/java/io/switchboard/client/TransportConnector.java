package io.switchboard.client;

import io.switchboard.proto.client.v1.ServerFrame;
import java.net.URI;
import java.util.concurrent.CompletionStage;

/** Opens {@link Transport}s; the seam where unit tests put a fake. Implementations are thread-safe. */
interface TransportConnector {
    /** Receives one connection's events, from any thread; after {@link #onClosed} nothing more. */
    interface Listener {
        void onFrame(ServerFrame frame);

        /** Called exactly once per opened transport: the close code (1006 for a broken or aborted connection). */
        void onClosed(int code, String reason);
    }

    /** Opens a connection offering the binary subprotocol; fails if the handshake fails. */
    CompletionStage<Transport> connect(URI uri, Listener listener);
}
