package io.switchboard.gateway.debug;

import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

/**
 * One connection's view of debug mode: logs each frame it receives from or queues for its client while a debug
 * session targets this connection, its user or the frame's room. Lines go to the logger
 * {@code io.switchboard.gateway.debug.FrameTap} at INFO, e.g.
 * {@code debug d1 in session=... user=alice {"publish":{"requestId":3,"room":"chat:x"}} payload=<redacted 5 bytes>}.
 * Thread-safe: called on the connection's reader thread, the fan-out thread and reply threads; it keeps no state of
 * its own.
 */
public final class FrameTap {
    private static final Logger LOG = Logger.getLogger(FrameTap.class.getName());
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    /** A tap that never logs (sessions built without debug mode, tests). */
    public static final FrameTap NONE = new FrameTap(null, "", () -> "");

    private final DebugSessions sessions;
    private final String sessionId;
    private final Supplier<String> userId;

    /**
     * @param userId the connection's user, "" before Connect
     */
    public FrameTap(DebugSessions sessions, String sessionId, Supplier<String> userId) {
        this.sessions = sessions;
        this.sessionId = sessionId;
        this.userId = userId;
    }

    /** A frame from the client. */
    public void inbound(Message frame) {
        log("in", frame);
    }

    /** A frame queued for the client. */
    public void outbound(Message frame) {
        log("out", frame);
    }

    private void log(String direction, Message frame) {
        if (sessions == null || !sessions.active()) {
            return;
        }
        String user = userId.get();
        String room = FrameRedactor.roomOf(frame);
        Optional<DebugSession> session = sessions.matching(sessionId, user, room);
        if (session.isEmpty() || !LOG.isLoggable(Level.INFO)) {
            return;
        }
        FrameRedactor.Redacted redacted = FrameRedactor.redact(frame, session.get().payloads());
        String json;
        try {
            json = JSON.print(redacted.frame());
        } catch (InvalidProtocolBufferException e) {
            json = redacted.frame().toString();
        }
        String payload = redacted.payloadBytes() > 0 ? " payload=<redacted " + redacted.payloadBytes() + " bytes>"
                : "";
        String line = "debug " + session.get().id() + " " + direction + " session=" + sessionId + " user=" + user
                + " " + json + payload;
        LOG.info(line);
    }
}
