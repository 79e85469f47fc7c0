package io.switchboard.gateway.ws;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;

/**
 * Gives each WebSocket connection's socket a read buffer of {@code gateway.socket-read-buffer} bytes instead of
 * Helidon's. Helidon 4.5's plain socket allocates an 8 KiB read buffer when the connection is accepted and keeps it
 * for the connection's life; no listener option sizes it. On an idle connection that buffer is the largest single item
 * of what the gateway holds (see performance.md, "Memory per idle connection"), while a client's frames are small: a
 * publish is a few hundred bytes, so a buffer of a few KiB still reads nearly every frame in one read. A larger frame
 * takes more reads, each handed on in order, never a different result.
 *
 * <p>The buffer is Helidon's private field, replaced through reflection on the connection's own thread when the
 * WebSocket opens, before the connection's first WebSocket read (nothing else reads the socket then). When the field
 * is not there (another Helidon version) or not accessible (Helidon on the module path), one warning is logged and
 * every socket keeps Helidon's buffer: the connections work either way, only their memory differs. The same holds if
 * a later Java refuses to change a final field (Java 26 warns about it unless started with
 * {@code --enable-final-field-mutation=ALL-UNNAMED}; a refusal is logged once, and no socket is changed after it).
 *
 * <p>Thread-safe; the only state that changes is the flag that stops further attempts after a refusal.
 */
public final class SocketReadBuffer {
    /** The size Helidon's plain socket reads with (its {@code BUFFER_LENGTH}). */
    public static final int HELIDON_BYTES = 8 * 1024;

    private static final Logger LOG = Logger.getLogger(SocketReadBuffer.class.getName());
    private static final String FIELD = "readBuffer";

    private final int bytes;
    // null: sockets keep Helidon's buffer
    private final Field field;
    // set once the JVM refused to change the field: later sockets are left alone
    private final AtomicBoolean refused = new AtomicBoolean();

    private SocketReadBuffer(int bytes, Field field) {
        this.bytes = bytes;
        this.field = field;
    }

    /**
     * @param bytes the read buffer of every connection; {@code 0} or {@link #HELIDON_BYTES} keeps Helidon's
     */
    public static SocketReadBuffer of(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
        }
        if (bytes == 0 || bytes == HELIDON_BYTES) {
            return new SocketReadBuffer(HELIDON_BYTES, null);
        }
        try {
            Field f = PlainSocket.class.getDeclaredField(FIELD);
            if (f.getType() != byte[].class) {
                throw new NoSuchFieldException(FIELD + " is a " + f.getType().getName());
            }
            f.setAccessible(true);
            return new SocketReadBuffer(bytes, f);
        } catch (NoSuchFieldException | RuntimeException e) {
            LOG.log(Level.WARNING, "Cannot size the sockets' read buffers (Helidon's PlainSocket has changed?): every"
                    + " connection keeps Helidon's " + HELIDON_BYTES + "-byte buffer", e);
            return new SocketReadBuffer(HELIDON_BYTES, null);
        }
    }

    /** The read buffer connections get, in bytes: Helidon's when its field is not there. */
    public int bytes() {
        return bytes;
    }

    /**
     * Gives {@code socket} its read buffer; a socket of another kind (Helidon's NIO socket) is left as it is. Only on
     * the connection's own thread, while it does not read.
     */
    void applyTo(HelidonSocket socket) {
        if (field == null || refused.get() || !(socket instanceof PlainSocket plain)) {
            return;
        }
        try {
            field.set(plain, new byte[bytes]);
        } catch (IllegalAccessException | RuntimeException e) {
            if (refused.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "The JVM refused to size a socket's read buffer: this and every later"
                        + " connection keep Helidon's " + HELIDON_BYTES + "-byte buffer", e);
            }
        }
    }
}
