package io.switchboard.gateway.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.helidon.common.socket.PlainSocket;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link SocketReadBuffer} on Helidon's real plain socket over a loopback connection. */
class SocketReadBufferTest {
    private static final int SENT = 20_000;

    @Test
    void aSizedSocketReadsAtMostItsBufferAtATimeAndLosesNothing() throws IOException {
        SocketReadBuffer buffer = SocketReadBuffer.of(512);
        assertThat(buffer.bytes()).isEqualTo(512);

        List<Integer> reads = readAll(buffer);

        assertThat(reads).allSatisfy(n -> assertThat(n).isBetween(1, 512));
        assertThat(reads.size()).isGreaterThanOrEqualTo(SENT / 512);
    }

    @Test
    void helidonsBufferWhenZeroOrItsOwnSize() throws IOException {
        assertThat(SocketReadBuffer.of(0).bytes()).isEqualTo(SocketReadBuffer.HELIDON_BYTES);
        assertThat(SocketReadBuffer.of(SocketReadBuffer.HELIDON_BYTES).bytes())
                .isEqualTo(SocketReadBuffer.HELIDON_BYTES);

        List<Integer> reads = readAll(SocketReadBuffer.of(0));

        assertThat(reads).allSatisfy(n -> assertThat(n).isBetween(1, SocketReadBuffer.HELIDON_BYTES));
    }

    @Test
    void refusesANegativeSize() {
        assertThatThrownBy(() -> SocketReadBuffer.of(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bytes: -1 (expected: >= 0)");
    }

    /**
     * Sends {@value #SENT} random bytes in one write over loopback to a Helidon plain socket given {@code buffer},
     * reads them back through the socket and checks they arrived whole and in order; returns each read's length.
     */
    private static List<Integer> readAll(SocketReadBuffer buffer) throws IOException {
        byte[] sent = new byte[SENT];
        new Random(11).nextBytes(sent);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            PlainSocket socket = PlainSocket.server(accepted, "test", "test");
            buffer.applyTo(socket);
            OutputStream out = client.getOutputStream();
            out.write(sent);
            out.flush();

            ByteArrayOutputStream received = new ByteArrayOutputStream();
            List<Integer> reads = new ArrayList<>();
            while (received.size() < SENT) {
                byte[] chunk = socket.get();
                assertThat(chunk).as("end of stream after %d bytes", received.size()).isNotNull();
                reads.add(chunk.length);
                received.writeBytes(chunk);
            }
            assertThat(received.toByteArray()).isEqualTo(sent);
            return reads;
        }
    }
}
