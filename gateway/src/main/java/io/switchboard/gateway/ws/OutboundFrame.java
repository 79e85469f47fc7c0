package io.switchboard.gateway.ws;

import java.util.Objects;

/**
 * One frame ready to write: serialized bytes (binary frames, pongs) or text, its size in bytes (what the
 * outbound queue's byte bound counts) and its type for metrics. Immutable; the byte array is never modified
 * after construction, so one instance may be shared by many connections.
 *
 * @param kind  binary data, text data, or a WebSocket pong control frame
 * @param bytes payload of BINARY and PONG frames, else null
 * @param text  payload of TEXT frames, else null
 * @param size  payload size in bytes (UTF-8 for text)
 * @param type  frame type for metrics, e.g. {@code message}
 */
public record OutboundFrame(Kind kind, byte[] bytes, String text, int size, String type) {
    /** What the writer sends. */
    public enum Kind { BINARY, TEXT, PONG }

    public OutboundFrame {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(type, "type");
        if ((kind == Kind.TEXT) == (text == null) || (kind != Kind.TEXT) == (bytes == null)) {
            throw new IllegalArgumentException("payload does not match kind " + kind);
        }
    }

    public static OutboundFrame binary(byte[] bytes, String type) {
        return new OutboundFrame(Kind.BINARY, bytes, null, bytes.length, type);
    }

    public static OutboundFrame text(String text, String type) {
        return new OutboundFrame(Kind.TEXT, null, text, Utf8.encodedLength(text), type);
    }

    public static OutboundFrame pong(byte[] payload) {
        return new OutboundFrame(Kind.PONG, payload, null, payload.length, "ws_pong");
    }
}
