package io.switchboard.gateway.ws;

/**
 * A client frame the gateway cannot accept (malformed protobuf or JSON, the wrong frame kind for the
 * subprotocol). The connection closes with PROTOCOL_ERROR and this message as the reason.
 */
public final class ProtocolViolation extends Exception {
    private static final long serialVersionUID = 1L;

    public ProtocolViolation(String message) {
        super(message);
    }

    public ProtocolViolation(String message, Throwable cause) {
        super(message, cause);
    }
}
