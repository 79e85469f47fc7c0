package io.switchboard.gateway.ws;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

import io.switchboard.gateway.ws.deflate.MessageDeflater;

/**
 * One frame ready to write, held as its complete WebSocket wire form (the unmasked server frame header followed by
 * the payload), built once when the frame is encoded. A room message is encoded once per subprotocol and the same
 * instance is queued to every subscriber, so a delivery costs a copy of these bytes into the connection's next
 * write and nothing else: no per-connection UTF-8 encoding, no per-connection header. Immutable and shareable.
 */
public final class OutboundFrame {
    /** What the writer sends. */
    public enum Kind {
        BINARY(0x2), TEXT(0x1), PONG(0xA);

        private final int opcode;

        Kind(int opcode) {
            this.opcode = opcode;
        }
    }

    /** Largest payload of a control frame (RFC 6455, 5.5). */
    private static final int MAX_CONTROL_PAYLOAD = 125;

    private final Kind kind;
    private final byte[] wire;
    private final int headerLength;
    private final String type;
    // The wire form for connections that negotiated permessage-deflate, made by the first such delivery and shared
    // by the rest (the gateway has one deflater, and compresses each message on its own: the result is the same for
    // every connection): the compressed frame with RSV1 set, or the plain wire form when not compressed. Two first
    // deliveries at once may both compress; either result is the same.
    private volatile byte[] deflatedWire;

    private OutboundFrame(Kind kind, byte[] payload, String type) {
        this(kind, Objects.requireNonNull(payload, "payload").length, type);
        System.arraycopy(payload, 0, wire, headerLength, payload.length);
    }

    // The header is written here, the payload by the caller, before the frame is shared.
    private OutboundFrame(Kind kind, int payloadLength, String type) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.type = Objects.requireNonNull(type, "type");
        int n = payloadLength;
        this.headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10;
        this.wire = new byte[headerLength + n];
        wire[0] = (byte) (0x80 | kind.opcode); // FIN, no extensions
        if (n < 126) {
            wire[1] = (byte) n;
        } else if (n < 65_536) {
            wire[1] = 126;
            wire[2] = (byte) (n >>> 8);
            wire[3] = (byte) n;
        } else {
            wire[1] = 127;
            for (int i = 0; i < 8; i++) {
                wire[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
        }
    }

    /** Writes a frame's payload straight into its wire form. */
    @FunctionalInterface
    interface PayloadWriter {
        /** Writes exactly the promised number of payload bytes into {@code wire} from {@code offset}. */
        void write(byte[] wire, int offset);
    }

    /**
     * A data frame of {@code payloadLength} bytes written in place by {@code payload}: one array and one copy of
     * the bytes, for frames assembled from other frames (a batch).
     */
    static OutboundFrame assemble(Kind kind, int payloadLength, String type, PayloadWriter payload) {
        if (kind == Kind.PONG) {
            throw new IllegalArgumentException("kind: PONG (expected: a data frame)");
        }
        OutboundFrame frame = new OutboundFrame(kind, payloadLength, type);
        payload.write(frame.wire, frame.headerLength);
        return frame;
    }

    /** A binary data frame. */
    public static OutboundFrame binary(byte[] bytes, String type) {
        return new OutboundFrame(Kind.BINARY, bytes, type);
    }

    /** A text data frame; {@code text} is encoded to UTF-8 here, once. */
    public static OutboundFrame text(String text, String type) {
        return new OutboundFrame(Kind.TEXT, text.getBytes(StandardCharsets.UTF_8), type);
    }

    /** A pong control frame echoing {@code payload} (at most 125 bytes). */
    public static OutboundFrame pong(byte[] payload) {
        if (payload.length > MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException("pong payload: " + payload.length + " bytes (expected: <= "
                    + MAX_CONTROL_PAYLOAD + ")");
        }
        return new OutboundFrame(Kind.PONG, payload, "ws_pong");
    }

    /** Binary data, text data, or a pong. */
    public Kind kind() {
        return kind;
    }

    /** Payload size in bytes (UTF-8 for text): what the outbound queue's byte bound counts. */
    public int size() {
        return wire.length - headerLength;
    }

    /** Frame type for metrics, e.g. {@code message}. */
    public String type() {
        return type;
    }

    /** A copy of the payload (UTF-8 for text frames). */
    public byte[] bytes() {
        return Arrays.copyOfRange(wire, headerLength, wire.length);
    }

    /** The payload of a TEXT frame as a string; null for other kinds. */
    public String text() {
        return kind == Kind.TEXT ? new String(wire, headerLength, size(), StandardCharsets.UTF_8) : null;
    }

    /**
     * Appends the payload (UTF-8 for text frames) to {@code out}, without the WebSocket header: for a transport that
     * is not a WebSocket (the HTTP fallback's event stream), from the same shared encoding.
     */
    public void writePayloadTo(ByteArrayOutputStream out) {
        out.write(wire, headerLength, size());
    }

    /**
     * The wire form (header and payload) as a read-only view of the shared bytes, for a transport outside this
     * package that writes frames as they are (the Netty listener): no copy per connection.
     */
    public ByteBuffer wireView() {
        return ByteBuffer.wrap(wire).asReadOnlyBuffer();
    }

    /** The wire form itself, shared by every connection the frame is queued to: callers must not modify it. */
    byte[] wire() {
        return wire;
    }

    /**
     * The wire form for a connection that negotiated permessage-deflate: a data frame of at least the deflater's
     * threshold that shrinks goes compressed (RSV1 set), anything else as {@link #wire()}. Compressed once per frame;
     * callers must not modify it.
     */
    byte[] wire(MessageDeflater deflater) {
        byte[] w = deflatedWire;
        if (w == null) {
            w = wire;
            if (kind != Kind.PONG) {
                byte[] compressed = deflater.compress(wire, headerLength, size());
                if (compressed != null) {
                    OutboundFrame frame = new OutboundFrame(kind, compressed, type);
                    frame.wire[0] |= 0x40; // RSV1: the message is compressed
                    w = frame.wire;
                }
            }
            deflatedWire = w;
        }
        return w;
    }

    /** Copies the payload into {@code target} at {@code offset}; returns the offset after it. */
    int copyPayloadTo(byte[] target, int offset) {
        int n = size();
        System.arraycopy(wire, headerLength, target, offset, n);
        return offset + n;
    }

    @Override
    public String toString() {
        return "OutboundFrame{" + kind + ", " + type + ", " + size() + " bytes}";
    }
}
