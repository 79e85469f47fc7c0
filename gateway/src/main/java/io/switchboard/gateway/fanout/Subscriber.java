package io.switchboard.gateway.fanout;

/**
 * A local receiver of a room's traffic (a client connection). {@link #deliver(FanoutMessage)} is called by one
 * thread at a time, in partition order: the fan-out thread, or a router's producer thread handing a record over
 * ({@code launcher.local-feed}); the signal methods on the signal consumer's thread. None may block: they enqueue
 * and return.
 */
public interface Subscriber {
    /** A room message (from the rooms topic). */
    void deliver(FanoutMessage message);

    /**
     * A frame about a room that is not a stored message (an ephemeral or presence event): written at once, never
     * held back by a resume's replay.
     */
    default void signal(FanoutMessage signal) {
    }

    /** The subscriber's session id ("" when it has none), so a sender can be left out of its own events. */
    default String sessionId() {
        return "";
    }

    /** True when this subscriber asked for {@code room}'s presence events. */
    default boolean wantsPresence(String room) {
        return false;
    }

    /** A backend closed {@code room}: end the subscription and tell the client why. */
    default void roomClosed(String room, String reason) {
    }
}
