package io.switchboard.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The prepared wire form: RFC 6455 server frames (FIN set, no mask) with 7-bit, 16-bit and 64-bit lengths. */
class OutboundFrameTest {
    private static byte[] wire(OutboundFrame f) {
        return f.wire().clone();
    }

    @Test
    void shortTextFrameHasATwoByteHeaderAndUtf8Payload() {
        OutboundFrame f = OutboundFrame.text("héllo", "message");
        byte[] w = wire(f);
        assertThat(f.size()).isEqualTo(6);
        assertThat(w[0] & 0xFF).isEqualTo(0x81);
        assertThat(w[1] & 0xFF).isEqualTo(6);
        assertThat(new String(w, 2, 6, StandardCharsets.UTF_8)).isEqualTo("héllo");
        assertThat(f.text()).isEqualTo("héllo");
    }

    @Test
    void mediumBinaryFrameHasA16BitLength() {
        byte[] payload = new byte[300];
        payload[299] = 7;
        byte[] w = wire(OutboundFrame.binary(payload, "message"));
        assertThat(w).hasSize(4 + 300);
        assertThat(w[0] & 0xFF).isEqualTo(0x82);
        assertThat(w[1] & 0xFF).isEqualTo(126);
        assertThat(((w[2] & 0xFF) << 8) | (w[3] & 0xFF)).isEqualTo(300);
        assertThat(w[w.length - 1]).isEqualTo((byte) 7);
    }

    @Test
    void largeFrameHasA64BitLength() {
        byte[] w = wire(OutboundFrame.binary(new byte[70_000], "history_page"));
        assertThat(w[1] & 0xFF).isEqualTo(127);
        long length = 0;
        for (int i = 2; i < 10; i++) {
            length = (length << 8) | (w[i] & 0xFF);
        }
        assertThat(length).isEqualTo(70_000);
        assertThat(w).hasSize(10 + 70_000);
    }

    @Test
    void pongIsAControlFrameOfAtMost125Bytes() {
        byte[] w = wire(OutboundFrame.pong(new byte[] {1, 2}));
        assertThat(w).containsExactly(0x8A, 2, 1, 2);
        assertThatThrownBy(() -> OutboundFrame.pong(new byte[126])).isInstanceOf(IllegalArgumentException.class);
    }
}
