package io.switchboard.gateway.sse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.google.gson.JsonObject;
import io.switchboard.gateway.ws.OutboundFrame;

/**
 * The event stream's wire form (the WHATWG Server-Sent Events format): the {@code open} event that names the stream,
 * one {@code data} event per server frame in the JSON mapping (the frame's shared encoding, without the WebSocket
 * header; printed JSON holds no line break, so one {@code data:} line carries it), a comment line as the heartbeat,
 * and the {@code close} event with the close code and reason. Stateless, hence thread-safe.
 */
final class SseEvents {
    /** A comment line: ignored by every parser, and enough to keep proxies from timing the stream out. */
    static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private SseEvents() {
    }

    /** {@code event: open} with the stream's id (where frames are posted) and the heartbeat interval. */
    static byte[] open(String streamId, Duration heartbeat) {
        JsonObject data = new JsonObject();
        data.addProperty("stream", streamId);
        data.addProperty("heartbeatMs", heartbeat.toMillis());
        return event("open", data);
    }

    /** {@code event: close} with the close code and reason (the WebSocket close frame's content). */
    static byte[] close(int code, String reason) {
        JsonObject data = new JsonObject();
        data.addProperty("code", code);
        data.addProperty("reason", reason);
        return event("close", data);
    }

    /**
     * Appends {@code frame}: a data frame as an unnamed event (a browser's {@code EventSource.onmessage}), a pong (the
     * session's keepalive) as a heartbeat.
     */
    static void append(OutboundFrame frame, ByteArrayOutputStream out) {
        if (frame.kind() == OutboundFrame.Kind.PONG) {
            out.writeBytes(HEARTBEAT);
            return;
        }
        out.writeBytes(DATA);
        frame.writePayloadTo(out);
        out.writeBytes(END);
    }

    /** Bytes {@link #append} writes for {@code frame}, at most. */
    static int length(OutboundFrame frame) {
        return DATA.length + frame.size() + END.length;
    }

    private static byte[] event(String name, JsonObject data) {
        return ("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
