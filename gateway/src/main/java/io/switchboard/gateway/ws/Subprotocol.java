package io.switchboard.gateway.ws;

/**
 * The two encodings of the wire protocol: binary frames of serialized protobuf, or text frames of protobuf's
 * canonical JSON. Both carry the same messages. Each is offered under its v1 subprotocol token and a {@code +batch}
 * variant; which tokens a gateway offers is its {@link ProtocolTable}.
 */
public enum Subprotocol {
    PROTO("switchboard.v1.proto", ProtoCodec.INSTANCE),
    JSON("switchboard.v1.json", JsonCodec.INSTANCE);

    private final String token;
    private final FrameCodec codec;

    Subprotocol(String token, FrameCodec codec) {
        this.token = token;
        this.codec = codec;
    }

    /** The plain v1 {@code Sec-WebSocket-Protocol} token of this encoding. */
    public String token() {
        return token;
    }

    public FrameCodec codec() {
        return codec;
    }
}
