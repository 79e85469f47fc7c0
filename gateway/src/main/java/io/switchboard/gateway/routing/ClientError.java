package io.switchboard.gateway.routing;

import java.util.Objects;

import io.switchboard.proto.client.v1.ErrorCode;

/**
 * An error to report to a client in an Error frame: its code, a message, and whether a retry may succeed, which
 * follows from the code's range in the protocol's one table ({@code 100-199} retriable, {@code 200-299} not).
 *
 * @param code    an Error-frame code (100-299)
 * @param message human-readable detail
 */
public record ClientError(ErrorCode code, String message) {
    public ClientError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        if (code.getNumber() < 100 || code.getNumber() > 299) {
            throw new IllegalArgumentException("code: " + code + " (expected: an Error-frame code 100-299)");
        }
    }

    /** True for the retriable range 100-199. */
    public boolean retriable() {
        return retriable(code);
    }

    /** True when {@code code} is in the retriable range 100-199. */
    public static boolean retriable(ErrorCode code) {
        return code.getNumber() >= 100 && code.getNumber() < 200;
    }
}
