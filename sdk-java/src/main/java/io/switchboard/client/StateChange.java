package io.switchboard.client;

import java.util.Objects;

/**
 * One transition of the connection state. {@code closeCode} and {@code reason} describe the close that caused
 * it (0 and "" when no close did, e.g. on {@code CONNECTED}).
 */
public record StateChange(ConnectionState previous, ConnectionState current, int closeCode, String reason) {
    public StateChange {
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(reason, "reason");
    }
}
