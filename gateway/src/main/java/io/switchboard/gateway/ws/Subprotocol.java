package io.switchboard.gateway.ws;

import java.util.List;
import java.util.Optional;

/**
 * The two WebSocket subprotocols of the wire protocol, negotiated with {@code Sec-WebSocket-Protocol}. Both carry
 * the same messages: binary frames of serialized protobuf, or text frames of protobuf's canonical JSON.
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

    /** The {@code Sec-WebSocket-Protocol} token. */
    public String token() {
        return token;
    }

    public FrameCodec codec() {
        return codec;
    }

    /** The subprotocol with this exact token. */
    public static Optional<Subprotocol> ofToken(String token) {
        for (Subprotocol p : values()) {
            if (p.token.equals(token)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Picks the first of the client's offers (in the client's order of preference) that we speak.
     *
     * @param offered the tokens offered, possibly as comma-separated header values
     */
    public static Optional<Subprotocol> negotiate(List<String> offered) {
        for (String value : offered) {
            for (String token : value.split(",")) {
                Optional<Subprotocol> p = ofToken(token.strip());
                if (p.isPresent()) {
                    return p;
                }
            }
        }
        return Optional.empty();
    }
}
