package io.switchboard.gateway.ws.deflate;

import io.helidon.common.buffers.DataReader;

/**
 * One frame from a client, read and checked against RFC 6455 section 5 and RFC 7692: masked, no RSV2 or RSV3, RSV1
 * only on the first frame of a data message (checked by the connection, which knows the message), control frames
 * final and at most 125 bytes, a known opcode, and a payload within the frame limit. Immutable.
 *
 * @param fin        the last frame of its message
 * @param compressed RSV1: the message is compressed (permessage-deflate)
 * @param opcode     the frame's opcode
 * @param payload    the unmasked payload
 */
record ClientFrame(boolean fin, boolean compressed, int opcode, byte[] payload) {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private static final int MAX_CONTROL_PAYLOAD = 125;

    /** The frame broke the protocol or a limit: the connection closes with {@link #code()}. */
    static final class Violation extends Exception {
        private static final long serialVersionUID = 1L;

        private final int code;

        Violation(int code, String reason) {
            super(reason);
            this.code = code;
        }

        int code() {
            return code;
        }
    }

    /**
     * Reads the next frame, blocking until it is whole.
     *
     * @param maxPayloadBytes largest payload accepted (beyond: 1009)
     * @throws Violation a protocol error (1002) or a frame too large (1009)
     */
    static ClientFrame read(DataReader in, int maxPayloadBytes) throws Violation {
        int b0 = in.read() & 0xFF;
        int b1 = in.read() & 0xFF;
        boolean fin = (b0 & 0x80) != 0;
        boolean rsv1 = (b0 & 0x40) != 0;
        int opcode = b0 & 0x0F;
        if ((b0 & 0x30) != 0) {
            throw new Violation(1002, "RSV2 and RSV3 must be clear");
        }
        if (opcode > BINARY && opcode < CLOSE || opcode > PONG) {
            throw new Violation(1002, "unknown opcode " + opcode);
        }
        if ((b1 & 0x80) == 0) {
            throw new Violation(1002, "client frames must be masked");
        }
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (in.read() & 0xFF) << 8 | (in.read() & 0xFF);
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = length << 8 | (in.read() & 0xFF);
            }
            if (length < 0) {
                throw new Violation(1002, "frame length has its most significant bit set");
            }
        }
        if (opcode >= CLOSE && (!fin || rsv1 || length > MAX_CONTROL_PAYLOAD)) {
            throw new Violation(1002, "control frames must be final, uncompressed and at most 125 bytes");
        }
        if (length > maxPayloadBytes) {
            throw new Violation(1009, "frame exceeds " + maxPayloadBytes + " bytes");
        }
        byte[] mask = in.readBytes(4);
        byte[] payload = length == 0 ? new byte[0] : in.readBytes((int) length);
        for (int i = 0; i < payload.length; i++) {
            payload[i] ^= mask[i & 3];
        }
        return new ClientFrame(fin, rsv1, opcode, payload);
    }
}
