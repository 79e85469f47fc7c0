package io.switchboard.gateway;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import io.switchboard.testkit.HttpHead;

/**
 * WebSocket handshakes and frames written byte by byte on a plain socket, for what {@code java.net.http}'s client
 * cannot do: report a 503 answer while other WebSockets of its shared HttpClient are open (it waited until they
 * closed, although the gateway answered at once), or announce a frame without sending its payload.
 */
final class UpgradeProbe {
    private UpgradeProbe() {
    }

    /** The HTTP status the server answers one upgrade request with. */
    static int status(URI ws, String subprotocol) throws IOException {
        try (Socket socket = new Socket(ws.getHost(), ws.getPort())) {
            socket.setSoTimeout(10_000);
            return upgrade(socket, ws, subprotocol);
        }
    }

    /**
     * Upgrades, sends {@code connectFrame} as a binary frame, then only the header of a binary frame announcing
     * {@code announcedLength} bytes, and returns the close code the server answers with (1006 if none).
     */
    static int closeCodeForAnnouncedFrame(URI ws, String subprotocol, byte[] connectFrame, long announcedLength)
            throws IOException {
        try (Socket socket = new Socket(ws.getHost(), ws.getPort())) {
            socket.setSoTimeout(10_000);
            int status = upgrade(socket, ws, subprotocol);
            if (status != 101) {
                throw new IOException("upgrade refused: " + status);
            }
            OutputStream out = socket.getOutputStream();
            writeHeader(out, connectFrame.length);
            out.write(connectFrame); // all-zero mask: the payload goes as is
            writeHeader(out, announcedLength);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            try {
                while (true) {
                    int first = in.readUnsignedByte();
                    long length = in.readUnsignedByte() & 0x7F;
                    if (length == 126) {
                        length = in.readUnsignedShort();
                    } else if (length == 127) {
                        length = in.readLong();
                    }
                    byte[] payload = new byte[(int) length];
                    in.readFully(payload);
                    if ((first & 0x0F) == 0x8) {
                        return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                    }
                }
            } catch (EOFException e) {
                return 1006;
            }
        }
    }

    private static void writeHeader(OutputStream out, long length) throws IOException {
        out.write(0x80 | 0x2); // FIN, binary
        if (length < 126) {
            out.write(0x80 | (int) length);
        } else if (length <= 0xFFFF) {
            out.write(0x80 | 126);
            out.write((int) (length >>> 8));
            out.write((int) length);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (length >>> shift));
            }
        }
        out.write(new byte[4]); // masking key 0
    }

    private static int upgrade(Socket socket, URI ws, String subprotocol) throws IOException {
        String request = "GET " + ws.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + ws.getHost() + ":" + ws.getPort() + "\r\n"
                + "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: " + subprotocol + "\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        String head = HttpHead.read(socket.getInputStream());
        String statusLine = head.lines().findFirst().orElse("");
        if (!statusLine.startsWith("HTTP/1.1 ")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        return Integer.parseInt(statusLine.substring(9, 12));
    }
}
