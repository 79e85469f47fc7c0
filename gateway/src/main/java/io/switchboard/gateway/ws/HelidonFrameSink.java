package io.switchboard.gateway.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsSession;

/**
 * {@link FrameSink} over a Helidon {@link WsSession}. {@link #abort()} relies on Helidon's model of one virtual
 * thread per connection: interrupting that thread while it reads (via {@link ServerConnection#close(boolean)},
 * which Helidon's WebSocket connection implements) closes the socket, which also fails a write blocked on a
 * client that stopped reading. Thread-safe as far as Helidon's session is (sends are serialized by our single
 * writer anyway).
 */
final class HelidonFrameSink implements FrameSink {
    private final WsSession session;
    private final Thread connectionThread;

    HelidonFrameSink(WsSession session, Thread connectionThread) {
        this.session = session;
        this.connectionThread = connectionThread;
    }

    @Override
    public void send(OutboundFrame frame) {
        switch (frame.kind()) {
            case BINARY -> session.send(BufferData.create(frame.bytes()), true);
            case TEXT -> session.send(frame.text(), true);
            case PONG -> session.pong(BufferData.create(frame.bytes()));
        }
    }

    @Override
    public void close(int code, String reason) {
        session.close(code, reason);
    }

    @Override
    public void abort() {
        if (session instanceof ServerConnection connection) {
            connection.close(true);
        } else {
            connectionThread.interrupt();
        }
    }
}
