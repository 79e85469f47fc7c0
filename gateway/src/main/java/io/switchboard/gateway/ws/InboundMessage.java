package io.switchboard.gateway.ws;

import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * What every WebSocket transport does with one whole client message (its fragments reassembled): decode it with the
 * connection's codec and hand the frame to the session, or report the violation; and the close of a message beyond
 * the frame limit. Shared by the Helidon listener and the Netty listener so both treat input alike. Stateless,
 * thread-safe; called on the connection's reader thread.
 */
public final class InboundMessage {
    private static final Logger LOG = Logger.getLogger(InboundMessage.class.getName());

    private InboundMessage() {
    }

    /** A whole text message. */
    public static void text(ConnectionHandler session, Subprotocol subprotocol, String message) {
        try {
            dispatch(session, subprotocol.codec().decode(message));
        } catch (ProtocolViolation e) {
            violation(session, e);
        }
    }

    /** A whole binary message. */
    public static void binary(ConnectionHandler session, Subprotocol subprotocol, byte[] message) {
        try {
            dispatch(session, subprotocol.codec().decode(message));
        } catch (ProtocolViolation e) {
            violation(session, e);
        }
    }

    /** Closes {@code session} 1009: a message grew beyond {@code maxFrameBytes}. */
    public static void tooBig(ConnectionHandler session, int maxFrameBytes) {
        session.close(ErrorCode.CLOSE_MESSAGE_TOO_BIG, "message exceeds " + maxFrameBytes + " bytes");
    }

    /** Closes {@code session} 1007: a text message is not valid UTF-8. */
    public static void invalidUtf8(ConnectionHandler session) {
        session.close(ErrorCode.CLOSE_INVALID_PAYLOAD, "text frame is not valid UTF-8");
    }

    private static void dispatch(ConnectionHandler session, ClientFrame frame) {
        try {
            session.onFrame(frame);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Failed to handle a frame in session " + session.id(), e);
            session.close(ErrorCode.CLOSE_INTERNAL_ERROR, "internal error");
        }
    }

    private static void violation(ConnectionHandler session, ProtocolViolation e) {
        LOG.fine(() -> "Protocol violation in session " + session.id() + ": " + e.getMessage());
        session.onProtocolViolation(e);
    }
}
