package io.switchboard.gateway.sse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.helidon.http.Status;
import io.switchboard.gateway.ws.ConnectionHandler;
import io.switchboard.gateway.ws.ProtocolViolation;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PostedFramesTest {
    private static final int MAX_FRAME = 64;

    /** Records what a session would be handed. */
    private static final class Recording implements ConnectionHandler {
        final List<ClientFrame> frames = new ArrayList<>();
        final List<String> closes = new ArrayList<>();

        @Override
        public String id() {
            return "s";
        }

        @Override
        public String userId() {
            return "";
        }

        @Override
        public void onFrame(ClientFrame frame) {
            frames.add(frame);
        }

        @Override
        public void onWsPing(byte[] payload) {
        }

        @Override
        public void onProtocolViolation(ProtocolViolation violation) {
            closes.add(ErrorCode.PROTOCOL_ERROR.name());
        }

        @Override
        public boolean close(ErrorCode code, String reason) {
            closes.add(code.name());
            return true;
        }

        @Override
        public void onTransportClosed() {
        }
    }

    private final PostedFrames posted = new PostedFrames(MAX_FRAME);
    private final Recording session = new Recording();

    private Status deliver(String body) {
        return posted.deliver(body.getBytes(StandardCharsets.UTF_8), session);
    }

    @Test
    void linesAreFramesInOrderAndBlankLinesAreSkipped() {
        assertThat(deliver("{\"ping\":{\"nonce\":\"1\"}}\r\n\n  \n{\"ping\":{\"nonce\":\"2\"}}")).isEqualTo(Status.NO_CONTENT_204);
        assertThat(session.frames).extracting(f -> f.getPing().getNonce()).containsExactly(1L, 2L);
        assertThat(session.closes).isEmpty();
    }

    @Test
    void anEmptyBodyHandsNothingOver() {
        assertThat(deliver("")).isEqualTo(Status.NO_CONTENT_204);
        assertThat(session.frames).isEmpty();
    }

    @Test
    void anInvalidLineClosesProtocolErrorAfterTheLinesBeforeIt() {
        assertThat(deliver("{\"ping\":{}}\n{\"pong\":{}}\n{\"ping\":{}}")).isEqualTo(Status.BAD_REQUEST_400);
        assertThat(session.frames).hasSize(1);
        assertThat(session.closes).containsExactly("PROTOCOL_ERROR");
    }

    @Test
    void aLineAboveTheFrameLimitCloses1009() {
        assertThat(deliver("{\"ping\":{}}" + " ".repeat(MAX_FRAME))).isEqualTo(Status.REQUEST_ENTITY_TOO_LARGE_413);
        assertThat(session.frames).isEmpty();
        assertThat(session.closes).containsExactly("CLOSE_MESSAGE_TOO_BIG");
    }

    @Test
    void invalidUtf8Closes1007() {
        Status status = posted.deliver(new byte[] {'{', (byte) 0xC3, '}'}, session);
        assertThat(status).isEqualTo(Status.BAD_REQUEST_400);
        assertThat(session.closes).containsExactly("CLOSE_INVALID_PAYLOAD");
    }
}
