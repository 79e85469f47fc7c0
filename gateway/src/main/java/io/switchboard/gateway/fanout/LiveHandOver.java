package io.switchboard.gateway.fanout;

/**
 * Registers a subscriber atomically with the fan-out of the room's partition, so the caller learns exactly
 * where its live stream begins: every record of the partition below the returned offset was dispatched before
 * the registration (and not to this subscriber), every record at or above it will be dispatched to it. The
 * point where a resume hands over from history to the live stream. Implementations are thread-safe.
 */
public interface LiveHandOver {
    /**
     * Adds {@code subscriber} to {@code room} and returns the offset of the next record the fan-out will
     * dispatch for the room's partition ({@code L}).
     */
    long subscribeAt(String room, Subscriber subscriber);
}
