package io.switchboard.gateway.drain;

import io.switchboard.gateway.session.ClientSession;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * One connection as a drain sees it. Implementations must be thread-safe and have value equality (the drain
 * recognises a connection it already announced in later snapshots).
 */
public interface DrainTarget {
    /** Sends the Drain frame. */
    void announce(int reconnectWithinMs);

    /** Publishes still waiting for their answer; the drain closes the connection when this reaches 0. */
    int publishesInFlight();

    /** Closes with 3000 SERVER_SHUTDOWN after the frames already queued (the Drain frame, acks). */
    void close();

    /** A WebSocket connection of this gateway. */
    static DrainTarget of(ClientSession session) {
        return new Session(session);
    }

    /** Adapter of a {@link ClientSession}; equal when the session is the same. */
    record Session(ClientSession session) implements DrainTarget {
        @Override
        public void announce(int reconnectWithinMs) {
            session.announceDrain(reconnectWithinMs);
        }

        @Override
        public int publishesInFlight() {
            return session.publishesInFlight();
        }

        @Override
        public void close() {
            session.close(ErrorCode.SERVER_SHUTDOWN, "reconnect");
        }
    }
}
