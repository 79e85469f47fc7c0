package io.switchboard.gateway.ws;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * {@code switchboard.v1.proto}: binary messages, each one serialized frame. Unknown fields are tolerated (as
 * protobuf does, for forward compatibility); a frame with no known frame type is rejected by the session.
 */
public final class ProtoCodec implements FrameCodec {
    static final ProtoCodec INSTANCE = new ProtoCodec();

    private ProtoCodec() {
    }

    @Override
    public ClientFrame decode(byte[] binary) throws ProtocolViolation {
        try {
            return ClientFrame.parseFrom(binary);
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolViolation("malformed protobuf frame", e);
        }
    }

    @Override
    public ClientFrame decode(String text) throws ProtocolViolation {
        throw new ProtocolViolation("text frame on " + Subprotocol.PROTO.token() + " (expected: binary)");
    }

    @Override
    public OutboundFrame encode(ServerFrame frame) {
        return OutboundFrame.binary(frame.toByteArray(), FrameCodec.typeOf(frame));
    }
}
