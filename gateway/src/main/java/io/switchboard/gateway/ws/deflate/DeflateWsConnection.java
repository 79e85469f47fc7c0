package io.switchboard.gateway.ws.deflate;

import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.DataFormatException;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.SocketContext;
import io.helidon.common.socket.SocketWriterException;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.websocket.WsUpgrader;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

/**
 * A WebSocket connection that negotiated permessage-deflate: what Helidon's {@code WsConnection} does for the other
 * connections (read frames on the connection's thread, answer the close handshake, drive the same
 * {@link WsListener}), plus compressed client messages. Helidon 4.5's frame reader refuses any frame with RSV1 set, so
 * this connection reads frames itself ({@link ClientFrame}). A compressed message (RSV1 on its first frame) is
 * collected whole, within the frame limit, and inflated within it too ({@link MessageInflater}; beyond: close 1009,
 * invalid data: 1007), then handed to the listener as one message; uncompressed fragments are handed on as they come,
 * as Helidon does. Outgoing data goes through the connection's {@code DataWriter} by the gateway's sink, which
 * compresses with {@link #deflater()}; this class writes only what goes through {@link WsSession} (close frames).
 *
 * <p>Helidon's listener concurrency limit (which the gateway does not configure) is not applied to these frames.
 * The connection's thread runs {@link #handle}; the send methods and {@link #close(boolean)} are thread-safe (one
 * lock serializes this class's writes; the close frame is sent once).
 */
public final class DeflateWsConnection implements ServerConnection, WsSession {
    private static final int MAX_CLOSE_REASON_BYTES = 123;

    private enum Message { NONE, TEXT, BINARY }

    private final ConnectionContext ctx;
    private final HttpPrologue prologue;
    private final Headers upgradeHeaders;
    private final WsListener listener;
    private final MessageDeflater deflater;
    private final int maxMessageBytes;
    private final DataReader reader;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    private final AtomicBoolean closeNotified = new AtomicBoolean();

    // Only the connection's thread touches these.
    private Message message = Message.NONE;
    private ByteArrayOutputStream compressedParts; // non-null while a compressed message is being collected
    private boolean sendingFragments; // guarded by sendLock

    private volatile Thread thread;
    private volatile boolean canRun = true;
    private volatile boolean reading;
    private volatile long lastActive = System.nanoTime();

    DeflateWsConnection(ConnectionContext ctx, HttpPrologue prologue, Headers upgradeHeaders, WsListener listener,
                        MessageDeflater deflater, int maxMessageBytes) {
        this.ctx = ctx;
        this.prologue = prologue;
        this.upgradeHeaders = upgradeHeaders;
        this.listener = listener;
        this.deflater = deflater;
        this.maxMessageBytes = maxMessageBytes;
        this.reader = ctx.dataReader();
    }

    /** How this connection's outgoing messages are compressed (negotiated: the same for every connection). */
    public MessageDeflater deflater() {
        return deflater;
    }

    @Override
    public void handle(Limit limit) {
        thread = Thread.currentThread();
        try {
            listener.onOpen(this);
        } catch (CloseConnectionException e) {
            throw e;
        } catch (RuntimeException e) {
            close(WsCloseCodes.UNEXPECTED_CONDITION, String.valueOf(e.getMessage()));
            return;
        }
        while (canRun) {
            ClientFrame frame = readFrame();
            lastActive = System.nanoTime();
            boolean more;
            try {
                more = process(frame);
            } catch (ClientFrame.Violation e) {
                fail(e);
                return;
            } catch (CloseConnectionException e) {
                throw e;
            } catch (RuntimeException e) {
                listener.onError(this, e);
                close(WsCloseCodes.UNEXPECTED_CONDITION, String.valueOf(e.getMessage()));
                return;
            }
            if (!more) {
                return;
            }
        }
        close(WsCloseCodes.NORMAL_CLOSE, "Idle timeout");
    }

    private ClientFrame readFrame() {
        reading = true;
        try {
            return ClientFrame.read(reader, maxMessageBytes);
        } catch (DataReader.InsufficientDataAvailableException e) {
            throw new CloseConnectionException("Socket closed by the other side", e);
        } catch (ClientFrame.Violation e) {
            fail(e);
            return null; // not reached: fail throws
        } finally {
            reading = false;
        }
    }

    /** Closes with the violation's code and ends the connection, as Helidon does after a bad frame. */
    private void fail(ClientFrame.Violation e) {
        close(e.code(), e.getMessage());
        throw new CloseConnectionException("WebSocket client frame refused: " + e.getMessage());
    }

    /** Handles one frame; false once the connection is done (the client's close frame). */
    private boolean process(ClientFrame frame) throws ClientFrame.Violation {
        switch (frame.opcode()) {
            case ClientFrame.TEXT, ClientFrame.BINARY -> {
                if (message != Message.NONE) {
                    throw new ClientFrame.Violation(WsCloseCodes.PROTOCOL_ERROR,
                            "a new message began before the fragmented one ended");
                }
                message = frame.opcode() == ClientFrame.TEXT ? Message.TEXT : Message.BINARY;
                if (frame.compressed()) {
                    compressedParts = new ByteArrayOutputStream();
                }
                data(frame);
            }
            case ClientFrame.CONTINUATION -> {
                if (message == Message.NONE || frame.compressed()) {
                    throw new ClientFrame.Violation(WsCloseCodes.PROTOCOL_ERROR, frame.compressed()
                            ? "RSV1 set on a continuation frame" : "a continuation frame without a message");
                }
                data(frame);
            }
            case ClientFrame.CLOSE -> {
                closeReceived(frame.payload());
                return false;
            }
            case ClientFrame.PING -> listener.onPing(this, BufferData.create(frame.payload()));
            case ClientFrame.PONG -> listener.onPong(this, BufferData.create(frame.payload()));
            default -> throw new ClientFrame.Violation(WsCloseCodes.PROTOCOL_ERROR, "opcode " + frame.opcode());
        }
        return true;
    }

    private void data(ClientFrame frame) throws ClientFrame.Violation {
        Message type = message;
        if (frame.fin()) {
            message = Message.NONE;
        }
        if (compressedParts == null) {
            deliver(type, frame.payload(), frame.fin());
            return;
        }
        if (compressedParts.size() + frame.payload().length > maxMessageBytes) {
            compressedParts = null;
            throw new ClientFrame.Violation(WsCloseCodes.TOO_BIG, "message exceeds " + maxMessageBytes + " bytes");
        }
        compressedParts.writeBytes(frame.payload());
        if (!frame.fin()) {
            return;
        }
        byte[] compressed = compressedParts.toByteArray();
        compressedParts = null;
        byte[] inflated;
        try {
            inflated = MessageInflater.inflate(compressed, maxMessageBytes);
        } catch (MessageInflater.TooLargeException e) {
            throw new ClientFrame.Violation(WsCloseCodes.TOO_BIG, "message exceeds " + maxMessageBytes + " bytes");
        } catch (DataFormatException e) {
            throw new ClientFrame.Violation(WsCloseCodes.NOT_CONSISTENT, "invalid compressed data");
        }
        deliver(type, inflated, true);
    }

    private void deliver(Message type, byte[] payload, boolean last) {
        if (type == Message.TEXT) {
            // As Helidon: malformed UTF-8 becomes U+FFFD, which the gateway's listener refuses (1007).
            listener.onMessage(this, new String(payload, StandardCharsets.UTF_8), last);
        } else {
            listener.onMessage(this, BufferData.create(payload), last);
        }
    }

    private void closeReceived(byte[] payload) throws ClientFrame.Violation {
        int status = WsCloseCodes.NORMAL_CLOSE;
        String reason = "normal";
        if (payload.length == 1) {
            throw new ClientFrame.Violation(WsCloseCodes.PROTOCOL_ERROR, "a close frame of one byte");
        }
        if (payload.length >= 2) {
            status = (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF);
            reason = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
        if (closeNotified.compareAndSet(false, true)) {
            listener.onClose(this, status, reason);
        }
        close(WsCloseCodes.NORMAL_CLOSE, "normal");
    }

    @Override
    public WsSession send(String text, boolean last) {
        return sendData(ClientFrame.TEXT, text.getBytes(StandardCharsets.UTF_8), last);
    }

    @Override
    public WsSession send(BufferData bufferData, boolean last) {
        byte[] bytes = new byte[bufferData.available()];
        bufferData.read(bytes);
        return sendData(ClientFrame.BINARY, bytes, last);
    }

    @Override
    public WsSession ping(BufferData bufferData) {
        return sendControl(ClientFrame.PING, bytesOf(bufferData));
    }

    @Override
    public WsSession pong(BufferData bufferData) {
        return sendControl(ClientFrame.PONG, bytesOf(bufferData));
    }

    @Override
    public WsSession close(int code, String reason) {
        if (!closeSent.compareAndSet(false, true)) {
            return this;
        }
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + Math.min(text.length, MAX_CLOSE_REASON_BYTES)];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, payload.length - 2);
        return sendControl(ClientFrame.CLOSE, payload);
    }

    @Override
    public WsSession terminate() {
        close(WsCloseCodes.NORMAL_CLOSE, "Terminate");
        throw new CloseConnectionException("Terminate from WebSocket");
    }

    @Override
    public Optional<String> subProtocol() {
        return upgradeHeaders.first(WsUpgrader.PROTOCOL);
    }

    @Override
    public SocketContext socketContext() {
        return ctx;
    }

    @Override
    public HttpPrologue prologue() {
        return prologue;
    }

    @Override
    public Duration idleTime() {
        return Duration.ofNanos(System.nanoTime() - lastActive);
    }

    @Override
    public void close(boolean interrupt) {
        canRun = false;
        Thread t = thread;
        if (t != null && (interrupt || reading)) {
            t.interrupt();
        }
    }

    private WsSession sendData(int opcode, byte[] payload, boolean last) {
        sendLock.lock();
        try {
            int used = sendingFragments ? ClientFrame.CONTINUATION : opcode;
            sendingFragments = !last;
            write((last ? 0x80 : 0) | used, payload);
        } finally {
            sendLock.unlock();
        }
        return this;
    }

    private WsSession sendControl(int opcode, byte[] payload) {
        sendLock.lock();
        try {
            write(0x80 | opcode, payload);
        } finally {
            sendLock.unlock();
        }
        return this;
    }

    /** One unmasked, uncompressed server frame, in one write. */
    private void write(int firstByte, byte[] payload) {
        int n = payload.length;
        int header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
        byte[] frame = new byte[header + n];
        frame[0] = (byte) firstByte;
        if (n < 126) {
            frame[1] = (byte) n;
        } else if (n < 65_536) {
            frame[1] = 126;
            frame[2] = (byte) (n >>> 8);
            frame[3] = (byte) n;
        } else {
            frame[1] = 127;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, n);
        try {
            ctx.dataWriter().writeNow(BufferData.create(frame));
        } catch (SocketWriterException | UncheckedIOException e) {
            // As Helidon's connection: the caller sees the connection fail, not an I/O exception.
            throw new ServerConnectionException("Failed to write websocket frame", e);
        }
    }

    private static byte[] bytesOf(BufferData data) {
        byte[] bytes = new byte[data.available()];
        data.read(bytes);
        return bytes;
    }
}
