package io.switchboard.testkit;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * A bare RFC 6455 client on a plain socket, for sending frames that a well-behaved client library refuses
 * to produce (invalid UTF-8 in a text frame, for one). Not thread-safe.
 */
public final class RawWebSocket implements AutoCloseable {
    /** Frame opcodes. */
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Opens a connection to a {@code ws://} URI offering {@code subprotocol}; fails unless the server answers 101. */
    public static RawWebSocket connect(URI uri, String subprotocol) throws IOException {
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(10_000);
        RawWebSocket ws = new RawWebSocket(socket);
        byte[] nonce = new byte[16];
        ws.random.nextBytes(nonce);
        String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: " + subprotocol + "\r\n\r\n";
        ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        String status = ws.readHeaders();
        if (!status.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("handshake refused: " + status);
        }
        return ws;
    }

    /** Writes one final, masked frame with this opcode and payload. */
    public void sendFrame(int opcode, byte[] payload) throws IOException {
        out.write(0x80 | opcode);
        int length = payload.length;
        if (length < 126) {
            out.write(0x80 | length);
        } else if (length <= 0xFFFF) {
            out.write(0x80 | 126);
            out.write(length >>> 8);
            out.write(length);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        out.write(mask);
        byte[] masked = new byte[length];
        for (int i = 0; i < length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        out.write(masked);
        out.flush();
    }

    /**
     * Reads frames until the server's Close frame and returns its status code (1005 if it carried none,
     * 1006 if the connection ended without one).
     */
    public int awaitCloseCode(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        DataInputStream data = new DataInputStream(in);
        try {
            while (true) {
                int first = data.readUnsignedByte();
                int second = data.readUnsignedByte();
                long length = second & 0x7F;
                if (length == 126) {
                    length = data.readUnsignedShort();
                } else if (length == 127) {
                    length = data.readLong();
                }
                byte[] payload = new byte[(int) length];
                data.readFully(payload);
                if ((first & 0x0F) == 0x8) {
                    return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                }
            }
        } catch (EOFException e) {
            return 1006;
        } catch (SocketTimeoutException e) {
            throw new IOException("no close frame within " + timeout, e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private String readHeaders() throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        String all = head.toString();
        int eol = all.indexOf("\r\n");
        return eol < 0 ? all : all.substring(0, eol);
    }
}
