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

    /** Suffix of the batching variant of each token ({@code switchboard.v1.proto+batch}). */
    public static final String BATCH_SUFFIX = "+batch";

    /** The batching variant of this subprotocol's token. */
    public String batchToken() {
        return token + BATCH_SUFFIX;
    }

    /** The subprotocol with this token, with or without {@value #BATCH_SUFFIX}, or null. */
    public static Subprotocol ofToken(String token) {
        for (Subprotocol p : values()) {
            if (p.token.equals(token) || p.batchToken().equals(token)) {
                return p;
            }
        }
        return null;
    }
}
