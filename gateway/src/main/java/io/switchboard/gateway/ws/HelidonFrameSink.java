package io.switchboard.gateway.ws;

import java.util.List;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsSession;
import io.switchboard.gateway.ws.deflate.MessageDeflater;

/**
 * {@link FrameSink} over a Helidon {@link WsSession}. Data frames and pongs are written in their prepared wire form
 * ({@link OutboundFrame}) straight to the connection's {@link DataWriter}, several frames in one write: Helidon's own
 * {@code send} would encode a text frame's UTF-8 again for every connection and copy every frame into its send
 * buffer for a write of its own. Helidon's writes on the same socket (the close reply to a client's close) go
 * through the same writer, and on the plain (non-NIO) socket the gateway's listener uses, each write puts its whole
 * buffer on the socket under the socket's write lock before another starts, so frames never interleave (Helidon's
 * NIO socket shares one write buffer between concurrent writers: not safe here). Close frames still go through {@link WsSession#close}, which Helidon must see to finish the
 * close handshake. When the session does not expose its connection's writer, frames go through
 * {@link WsSession#send} one by one.
 *
 * <p>{@link #abort()} relies on Helidon's model of one virtual thread per connection: interrupting that thread
 * while it reads (via {@link ServerConnection#close(boolean)}, which Helidon's WebSocket connection implements)
 * closes the socket, which also fails a write blocked on a client that stopped reading. Thread-safe as far as
 * Helidon's session is (sends are serialized by our single writer anyway).
 *
 * <p>On a connection that negotiated permessage-deflate, each frame goes in its compressed wire form
 * ({@link OutboundFrame#wire(MessageDeflater)}), made once per frame and shared by its recipients.
 */
final class HelidonFrameSink implements FrameSink {
    private final WsSession session;
    private final Thread connectionThread;
    private final DataWriter writer;
    // null: the connection did not negotiate compression
    private final MessageDeflater deflater;

    /** @param deflater compresses frames for a connection that negotiated permessage-deflate; null for others */
    HelidonFrameSink(WsSession session, Thread connectionThread, MessageDeflater deflater) {
        this.session = session;
        this.connectionThread = connectionThread;
        this.writer = session.socketContext() instanceof ConnectionContext ctx ? ctx.dataWriter() : null;
        this.deflater = deflater;
    }

    private byte[] wireOf(OutboundFrame frame) {
        return deflater == null ? frame.wire() : frame.wire(deflater);
    }

    @Override
    public void send(OutboundFrame frame) {
        send(List.of(frame));
    }

    @Override
    public void send(List<OutboundFrame> frames) {
        if (writer == null) {
            frames.forEach(this::sendThroughSession);
            return;
        }
        if (frames.size() == 1) {
            // The common case at a few messages per second per connection: the shared wire bytes as they are.
            writer.writeNow(BufferData.create(wireOf(frames.getFirst())));
            return;
        }
        int length = 0;
        for (OutboundFrame f : frames) {
            length += wireOf(f).length;
        }
        byte[] wire = new byte[length];
        int at = 0;
        for (OutboundFrame f : frames) {
            byte[] w = wireOf(f);
            System.arraycopy(w, 0, wire, at, w.length);
            at += w.length;
        }
        writer.writeNow(BufferData.create(wire));
    }

    private void sendThroughSession(OutboundFrame frame) {
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
