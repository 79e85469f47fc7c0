package io.switchboard.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.switchboard.testkit.HttpHead;

/**
 * One HTTP/1.1 request written by hand on its own socket, and the head of the answer: for upgrade requests with
 * exactly the headers a test wants (Origin, X-Forwarded-For, oversized ones), which {@code java.net.http} does not
 * allow. The socket stays open (an upgraded connection stays connected) until {@link #close()}.
 */
final class RawHttp implements AutoCloseable {
    private final Socket socket;
    final int status;
    private final Map<String, String> headers;

    private RawHttp(Socket socket, int status, Map<String, String> headers) {
        this.socket = socket;
        this.status = status;
        this.headers = headers;
    }

    /** A WebSocket upgrade of {@code ws} offering {@code subprotocol}, with {@code extra} headers. */
    static RawHttp upgrade(URI ws, String subprotocol, Map<String, String> extra) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Connection", "Upgrade");
        h.put("Upgrade", "websocket");
        h.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        h.put("Sec-WebSocket-Version", "13");
        h.put("Sec-WebSocket-Protocol", subprotocol);
        h.putAll(extra);
        return request(ws, "GET", ws.getRawPath(), h);
    }

    /** {@code method path} on the server of {@code base}, with a Host header and {@code headers}. */
    static RawHttp request(URI base, String method, String path, Map<String, String> headers) {
        Socket socket = new Socket();
        try {
            socket.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            socket.setSoTimeout(15_000);
            StringBuilder req = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("\r\n");
            socket.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String head = HttpHead.read(socket.getInputStream());
            String[] lines = head.split("\r\n");
            if (!lines[0].startsWith("HTTP/1.1 ")) {
                throw new IOException("not an HTTP response: " + head);
            }
            Map<String, String> answer = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    answer.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).strip());
                }
            }
            return new RawHttp(socket, Integer.parseInt(lines[0].substring(9, 12)), answer);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException(e);
        }
    }

    /** The answer's header {@code name} (case-insensitive). */
    Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** True until the server closed the connection (reads its end of stream; skips whatever else it sent). */
    boolean serverClosedWithin(java.time.Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            InputStream in = socket.getInputStream();
            byte[] skip = new byte[4096];
            while (in.read(skip) != -1) {
                // frames or a body: not what is asked
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
