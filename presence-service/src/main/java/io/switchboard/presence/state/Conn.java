package io.switchboard.presence.state;

import com.google.protobuf.Timestamp;

import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One client connection as its gateway reported it. Equality is identity: two gateways may report the same
 * session id and still hold two connections. Not thread-safe: confined to {@link PresenceState}'s lock.
 */
final class Conn {
    final String gatewayId;
    final String sessionId;
    final String userId;
    String client;
    Timestamp openedTime;
    /** The rooms this connection is subscribed to, sorted so that answers are deterministic. */
    final SortedSet<String> rooms = new TreeSet<>();

    Conn(String gatewayId, String sessionId, String userId, String client, Timestamp openedTime) {
        this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
        this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
        this.userId = Objects.requireNonNull(userId, "userId");
        this.client = Objects.requireNonNull(client, "client");
        this.openedTime = Objects.requireNonNull(openedTime, "openedTime");
    }
}
