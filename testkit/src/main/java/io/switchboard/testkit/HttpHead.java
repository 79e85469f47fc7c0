package io.switchboard.testkit;

import java.io.IOException;
import java.io.InputStream;

/** Reads an HTTP/1.1 response head off a raw socket. Stateless, thread-safe. */
public final class HttpHead {
    private HttpHead() {
    }

    /**
     * The status line and headers, up to and including the blank line that ends them (or what arrived before the
     * stream ended). Reads byte by byte, so that no byte after the head (a WebSocket frame, a body) is consumed.
     */
    public static String read(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }
}
