package io.switchboard.gateway.ws.deflate;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates one compressed client message (RFC 7692 section 7.2.2): the message's payload with {@code 00 00 FF FF}
 * appended, as raw DEFLATE, never beyond a size limit, so a small frame that inflates to gigabytes (a zip bomb) is
 * refused after at most the limit plus one buffer of output. The gateway negotiates
 * {@code client_no_context_takeover}, so each message inflates on its own: the inflater is made per message and
 * freed at once, and an idle connection holds no inflater. Stateless, hence thread-safe.
 */
final class MessageInflater {
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    /** The message inflated to more than the limit. */
    static final class TooLargeException extends Exception {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    private MessageInflater() {
    }

    /**
     * The inflated message.
     *
     * @throws TooLargeException   when it inflates to more than {@code maxBytes}
     * @throws DataFormatException when it is not valid DEFLATE data
     */
    static byte[] inflate(byte[] compressed, int maxBytes) throws TooLargeException, DataFormatException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(compressed);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, compressed.length * 4 + 64));
            byte[] chunk = new byte[8 * 1024];
            boolean tailGiven = false;
            while (true) {
                int n = inflater.inflate(chunk);
                if (n > 0) {
                    if (out.size() + n > maxBytes) {
                        throw new TooLargeException("message inflates beyond " + maxBytes + " bytes");
                    }
                    out.write(chunk, 0, n);
                    continue;
                }
                if (inflater.needsDictionary()) {
                    throw new DataFormatException("a preset dictionary is not part of permessage-deflate");
                }
                if (inflater.finished() || !inflater.needsInput() || tailGiven) {
                    break; // a final block (allowed), or all input and the tail inflated
                }
                inflater.setInput(TAIL);
                tailGiven = true;
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }
}
