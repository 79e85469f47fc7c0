package io.switchboard.gateway.ws;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ServerFrame;

/** Turns WebSocket messages into ClientFrames and ServerFrames into WebSocket messages. Stateless, thread-safe. */
public sealed interface FrameCodec permits ProtoCodec, JsonCodec {
    /** Decodes a binary message. */
    ClientFrame decode(byte[] binary) throws ProtocolViolation;

    /** Decodes a text message. */
    ClientFrame decode(String text) throws ProtocolViolation;

    /** Encodes one server frame as this subprotocol's message. */
    OutboundFrame encode(ServerFrame frame);

    /** The frame type name used in metrics, e.g. {@code "ack"}. */
    static String typeOf(ServerFrame frame) {
        return TypeNames.SERVER[frame.getFrameCase().ordinal()];
    }

    /** The frame type name used in metrics, e.g. {@code "publish"}. */
    static String typeOf(ClientFrame frame) {
        return TypeNames.CLIENT[frame.getFrameCase().ordinal()];
    }

    /** The type names, computed once rather than per frame. */
    final class TypeNames {
        private static final String[] SERVER = names(ServerFrame.FrameCase.values());
        private static final String[] CLIENT = names(ClientFrame.FrameCase.values());

        private TypeNames() {
        }

        private static String[] names(Enum<?>[] cases) {
            String[] names = new String[cases.length];
            for (Enum<?> c : cases) {
                names[c.ordinal()] = c.name().toLowerCase(java.util.Locale.ROOT);
            }
            return names;
        }
    }
}
