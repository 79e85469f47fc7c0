package io.switchboard.presence.state;

import java.time.Instant;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What the service knows about one gateway incarnation: its lease, the last applied report and its
 * connections by session id. Not thread-safe: confined to {@link PresenceState}'s lock.
 */
final class GatewayEntry {
    final String gatewayId;
    String incarnation;
    Instant leaseDeadline;
    long lastSeq;
    /** A report was rejected (seq gap): every report is refused until the gateway sends a Sync. */
    boolean awaitingSync;
    /** Sorted by session id for paged GatewayConnections. */
    final NavigableMap<String, Conn> connections = new TreeMap<>();

    GatewayEntry(String gatewayId, String incarnation, Instant leaseDeadline) {
        this.gatewayId = gatewayId;
        this.incarnation = incarnation;
        this.leaseDeadline = leaseDeadline;
    }
}
