package io.switchboard.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A bare RFC 6455 client on a plain socket, for sending frames that a well-behaved client library refuses
 * to produce (invalid UTF-8 in a text frame, for one). Not thread-safe.
 */
public final class RawWebSocket implements AutoCloseable {
    /** Frame opcodes. */
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;
    /** Larger server frames are refused rather than allocated (the gateway's own frames are far smaller). */
    private static final int MAX_SERVER_FRAME = 16 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final SecureRandom random = new SecureRandom();
    // The 101 answer's headers, names in lower case.
    private final Map<String, String> handshake = new LinkedHashMap<>();

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens a connection to a {@code ws://} URI offering {@code subprotocol}; fails unless the server answers 101. */
    public static RawWebSocket connect(URI uri, String subprotocol) throws IOException {
        return connect(uri, subprotocol, Map.of());
    }

    /**
     * Opens a connection offering {@code subprotocol}, with {@code headers} added to the upgrade request (e.g.
     * {@code Sec-WebSocket-Extensions}); fails unless the server answers 101.
     */
    public static RawWebSocket connect(URI uri, String subprotocol, Map<String, String> headers) throws IOException {
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        RawWebSocket ws = new RawWebSocket(socket);
        byte[] nonce = new byte[16];
        ws.random.nextBytes(nonce);
        String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: " + subprotocol + "\r\n";
        StringBuilder extra = new StringBuilder();
        headers.forEach((name, value) -> extra.append(name).append(": ").append(value).append("\r\n"));
        request += extra + "\r\n";
        ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
        ws.out.flush();
        String status = ws.readHeaders();
        if (!status.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("handshake refused: " + status);
        }
        return ws;
    }

    /** The handshake answer's header {@code name} (case-insensitive). */
    public Optional<String> handshakeHeader(String name) {
        return Optional.ofNullable(handshake.get(name.toLowerCase(Locale.ROOT)));
    }

    /** Writes one final, masked frame with this opcode and payload. */
    public void sendFrame(int opcode, byte[] payload) throws IOException {
        sendRaw(encode(0x80 | opcode, true, payload.length, payload));
    }

    /** Writes {@code bytes} as they are: frames crafted with {@link #encode}, or anything else. */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * One frame on the wire, with every header field chosen by the caller, so that a test can send what RFC 6455
     * forbids: reserved opcodes or bits, an unmasked client frame, a length that is not the payload's.
     *
     * @param firstByte      FIN, RSV1-3 and the opcode
     * @param masked         whether to set the mask bit and mask the payload with a random key
     * @param declaredLength the length written in the header (the payload is written whatever it says)
     */
    public byte[] encode(int firstByte, boolean masked, long declaredLength, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (declaredLength < 126) {
            frame.write(maskBit | (int) declaredLength);
        } else if (declaredLength <= 0xFFFF) {
            frame.write(maskBit | 126);
            frame.write((int) (declaredLength >>> 8));
            frame.write((int) declaredLength);
        } else {
            frame.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (declaredLength >>> shift));
            }
        }
        byte[] body = payload;
        if (masked) {
            byte[] mask = new byte[4];
            random.nextBytes(mask);
            frame.writeBytes(mask);
            body = new byte[payload.length];
            for (int i = 0; i < payload.length; i++) {
                body[i] = (byte) (payload[i] ^ mask[i & 3]);
            }
        }
        frame.writeBytes(body);
        return frame.toByteArray();
    }

    /**
     * A frame from the server.
     *
     * @param rsv1 the frame's RSV1 bit (a compressed message, with permessage-deflate)
     */
    public record Frame(int opcode, byte[] payload, boolean rsv1) {
        /** A frame without RSV1. */
        public Frame(int opcode, byte[] payload) {
            this(opcode, payload, false);
        }

        /** The status code of a Close frame: 1005 if it carried none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }

    /**
     * Reads the next frame from the server (blocking up to the socket timeout).
     *
     * @throws EOFException when the connection ends
     */
    public Frame readFrame() throws IOException {
        DataInputStream data = new DataInputStream(in);
        int first = data.readUnsignedByte();
        int second = data.readUnsignedByte();
        long length = second & 0x7F;
        if (length == 126) {
            length = data.readUnsignedShort();
        } else if (length == 127) {
            length = data.readLong();
        }
        if (length < 0 || length > MAX_SERVER_FRAME) {
            throw new IOException("server frame of " + length + " bytes (expected: <= " + MAX_SERVER_FRAME + ")");
        }
        byte[] payload = new byte[(int) length];
        data.readFully(payload);
        return new Frame(first & 0x0F, payload, (first & 0x40) != 0);
    }

    /** Reads what the server sends until it closes the connection, at most {@code max} bytes. */
    public byte[] readToEnd(int max) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        int n;
        while (all.size() < max && (n = in.read(buffer, 0, Math.min(buffer.length, max - all.size()))) != -1) {
            all.write(buffer, 0, n);
        }
        return all.toByteArray();
    }

    /** Sets how long a read may block. */
    public void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /**
     * Reads frames until the server's Close frame and returns its status code (1005 if it carried none,
     * 1006 if the connection ended without one).
     */
    public int awaitCloseCode(Duration timeout) throws IOException {
        readTimeout(timeout);
        try {
            while (true) {
                Frame frame = readFrame();
                if (frame.opcode() == CLOSE) {
                    return frame.closeCode();
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
        String all = HttpHead.read(in);
        String[] lines = all.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                handshake.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
        }
        int eol = all.indexOf("\r\n");
        return eol < 0 ? all : all.substring(0, eol);
    }
}
