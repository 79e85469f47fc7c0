package io.switchboard.gateway.ws;

/** The reason text of a WebSocket close frame. Stateless, thread-safe. */
public final class CloseReason {
    /** RFC 6455 limits a close reason to 123 bytes of UTF-8. */
    public static final int MAX_BYTES = 123;

    private CloseReason() {
    }

    /** {@code reason} cut to at most {@link #MAX_BYTES} bytes of UTF-8, on a character boundary. */
    public static String truncate(String reason) {
        if (Utf8.encodedLength(reason) <= MAX_BYTES) {
            return reason;
        }
        int end = reason.length();
        while (end > 0 && Utf8.encodedLength(reason.subSequence(0, end)) > MAX_BYTES) {
            end--;
        }
        if (end > 0 && Character.isHighSurrogate(reason.charAt(end - 1))) {
            end--;
        }
        return reason.substring(0, end);
    }
}
