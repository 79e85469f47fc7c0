package io.switchboard.gateway.ws.deflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;

import org.junit.jupiter.api.Test;

/** The compressed form of a message and its way back, within limits (RFC 7692 section 7.2). */
class MessageCompressionTest {
    private static final byte[] MESSAGE = ("{\"message\":{\"room\":\"dashboard:7\",\"payload\":\""
            + "eyJjcHUiOjAuNDIsIm1lbSI6MC43N30=".repeat(20) + "\"}}").getBytes(StandardCharsets.UTF_8);

    @Test
    void aMessageAtTheThresholdCompressesAndInflatesBackToItself() throws Exception {
        byte[] compressed = new MessageDeflater(MESSAGE.length).compress(MESSAGE, 0, MESSAGE.length);

        assertThat(compressed).isNotNull();
        assertThat(compressed.length).isLessThan(MESSAGE.length / 2);
        assertThat(MessageInflater.inflate(compressed, MESSAGE.length)).isEqualTo(MESSAGE);
    }

    @Test
    void aMessageBelowTheThresholdOrThatWouldNotShrinkIsLeftAlone() {
        assertThat(new MessageDeflater(MESSAGE.length + 1).compress(MESSAGE, 0, MESSAGE.length)).isNull();
        byte[] tiny = "{}".getBytes(StandardCharsets.UTF_8);
        assertThat(new MessageDeflater(0).compress(tiny, 0, tiny.length)).isNull();
    }

    @Test
    void theSameMessageCompressesToTheSameBytesEveryTime() {
        MessageDeflater deflater = new MessageDeflater(0);
        byte[] first = deflater.compress(MESSAGE, 0, MESSAGE.length);
        assertThat(deflater.compress(MESSAGE, 0, MESSAGE.length)).isEqualTo(first);
    }

    @Test
    void aMessageThatInflatesBeyondTheLimitIsRefusedAfterAtMostTheLimit() {
        byte[] zeros = new byte[10 << 20];
        byte[] bomb = new MessageDeflater(0).compress(zeros, 0, zeros.length);
        assertThat(bomb.length).isLessThan(16 * 1024);

        assertThatThrownBy(() -> MessageInflater.inflate(bomb, 131_072))
                .isInstanceOf(MessageInflater.TooLargeException.class);
    }

    @Test
    void dataThatIsNotDeflateIsRefused() {
        byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte) 0xFF);
        assertThatThrownBy(() -> MessageInflater.inflate(garbage, 131_072)).isInstanceOf(DataFormatException.class);
    }
}
