package io.switchboard.testkit;

/** The two WebSocket subprotocols of the Switchboard wire protocol. */
public enum Subprotocol {
    /** Binary frames, each a serialized protobuf frame. */
    PROTO("switchboard.v1.proto"),
    /** Text frames, each a frame in protobuf's canonical JSON mapping. */
    JSON("switchboard.v1.json");

    private final String token;

    Subprotocol(String token) {
        this.token = token;
    }

    /** The value offered in {@code Sec-WebSocket-Protocol}. */
    public String token() {
        return token;
    }

    /** The subprotocol with this token, or null. */
    public static Subprotocol ofToken(String token) {
        for (Subprotocol p : values()) {
            if (p.token.equals(token)) {
                return p;
            }
        }
        return null;
    }
}
