package io.switchboard.gateway.auth;

import io.switchboard.proto.client.v1.ErrorCode;

/**
 * A token was rejected. {@link #code()} is the close code the connection ends with: {@link ErrorCode#INVALID_TOKEN}
 * or {@link ErrorCode#TOKEN_EXPIRED}; the message is safe to send to the client as the close reason.
 */
public final class AuthException extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public AuthException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public AuthException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
