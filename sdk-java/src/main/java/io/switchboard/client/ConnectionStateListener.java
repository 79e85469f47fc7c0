package io.switchboard.client;

/** Told about every connection state change, on the client's event thread. Must not block. */
@FunctionalInterface
public interface ConnectionStateListener {
    void onStateChange(StateChange change);
}
