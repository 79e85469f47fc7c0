package io.switchboard.gateway.sse;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.http.Status;
import io.switchboard.gateway.ws.ConnectionHandler;
import io.switchboard.gateway.ws.ProtocolViolation;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * Hands the frames of one POST body to a session, as a WebSocket reader hands over its messages: the body holds one
 * or more client frames in the JSON mapping, one per line (newline-delimited JSON; empty lines are skipped), read in
 * order. The rules of the WebSocket's text messages apply to each line, with the same close codes: a line that is not
 * valid UTF-8 closes the session 1007, one above the frame limit 1009, one that is not a valid frame 3502
 * ({@code PROTOCOL_ERROR}); the lines before it were handed over already. Stateless, hence thread-safe; a session's
 * POSTs are read one at a time ({@link SseStream#tryRead()}).
 */
final class PostedFrames {
    private static final Logger LOG = Logger.getLogger(PostedFrames.class.getName());

    private final int maxFrameBytes;

    PostedFrames(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Hands {@code body}'s frames to {@code session}; returns the status the POST is answered with. */
    Status deliver(byte[] body, ConnectionHandler session) {
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '\n', start);
            int lineEnd = end > start && body[end - 1] == '\r' ? end - 1 : end;
            Status status = line(body, start, lineEnd - start, session);
            if (status != null) {
                return status;
            }
            start = end + 1;
        }
        return Status.NO_CONTENT_204;
    }

    /** One line: null when handed over (or blank), else the status of the failure that closed the session. */
    private Status line(byte[] body, int offset, int length, ConnectionHandler session) {
        if (isBlank(body, offset, length)) {
            return null;
        }
        if (length > maxFrameBytes) {
            session.close(ErrorCode.CLOSE_MESSAGE_TOO_BIG, "message exceeds " + maxFrameBytes + " bytes");
            return Status.REQUEST_ENTITY_TOO_LARGE_413;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body, offset, length)).toString();
        } catch (CharacterCodingException e) {
            session.close(ErrorCode.CLOSE_INVALID_PAYLOAD, "text frame is not valid UTF-8");
            return Status.BAD_REQUEST_400;
        }
        ClientFrame frame;
        try {
            frame = Subprotocol.JSON.codec().decode(text);
        } catch (ProtocolViolation e) {
            session.onProtocolViolation(e);
            return Status.BAD_REQUEST_400;
        }
        try {
            session.onFrame(frame);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Failed to handle a frame in session " + session.id(), e);
            session.close(ErrorCode.CLOSE_INTERNAL_ERROR, "internal error");
            return Status.INTERNAL_SERVER_ERROR_500;
        }
        return null;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }

    private static boolean isBlank(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
