package io.switchboard.gateway.ws;

import java.util.Objects;

/**
 * One subprotocol the gateway offers: its {@code Sec-WebSocket-Protocol} token, the protocol version it speaks,
 * the encoding of its frames and whether the gateway may put several server frames in one {@code Batch}
 * (docs/protocol.md sections 12 and 13). Immutable.
 *
 * @param token    the exact token, e.g. {@code switchboard.v1.proto+batch}
 * @param version  the major protocol version, at least 1
 * @param encoding binary protobuf or canonical JSON frames
 * @param batching the client asked for batches by offering this token
 */
public record ProtocolOffer(String token, int version, Subprotocol encoding, boolean batching) {
    /** Suffix of the token that asks for batches. */
    public static final String BATCH_SUFFIX = "+batch";

    public ProtocolOffer {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(encoding, "encoding");
        if (token.isBlank() || !token.chars().allMatch(ProtocolOffer::isTokenChar)) {
            throw new IllegalArgumentException("token: '" + token + "' (expected: an RFC 7230 token)");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version: " + version + " (expected: >= 1)");
        }
    }

    /** The plain offer of {@code encoding} in v1: {@code switchboard.v1.proto} or {@code switchboard.v1.json}. */
    public static ProtocolOffer v1(Subprotocol encoding) {
        return new ProtocolOffer(encoding.token(), 1, encoding, false);
    }

    /** The batching variant of this offer: the same token with {@value #BATCH_SUFFIX}. */
    public ProtocolOffer withBatching() {
        return batching ? this : new ProtocolOffer(token + BATCH_SUFFIX, version, encoding, true);
    }

    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }
}
