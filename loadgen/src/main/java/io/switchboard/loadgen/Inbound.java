package io.switchboard.loadgen;

/**
 * One decoded server frame, reduced to what the generator needs. Mutable and reused: each connection's event
 * loop decodes into its own instance, so a delivery costs no allocation beyond the payload bytes. Not thread-safe.
 */
final class Inbound {
    enum Kind { CONNECTED, SUBSCRIBED, MESSAGE, ACK, ERROR, OTHER }

    Kind kind;
    int requestId;
    /** Message payload (MESSAGE only). */
    byte[] payload;
    /** Error code name or number and message (ERROR only). */
    String error;

    void reset() {
        kind = Kind.OTHER;
        requestId = 0;
        payload = null;
        error = null;
    }
}
