package io.switchboard.bench.presence;

import java.time.Duration;

/**
 * The presence-join workload: {@code clients} clients, each its own user, connected round-robin to
 * {@code gateways} gateways, then all subscribing to {@link #ROOM} with {@code presence=true} at once. Immutable.
 *
 * @param clients            clients (and users) of the large run; the small run uses a tenth of them
 * @param gateways           gateways of the cluster
 * @param consistencyTimeout how long after the first join every client must see the full count
 * @param settle             how long after consistency the run keeps counting presence frames (late events)
 */
public record PresenceJoinSpec(int clients, int gateways, Duration consistencyTimeout, Duration settle) {
    /** The room every client joins. */
    public static final String ROOM = "bench:presence";
    /** File descriptors the JVM needs besides two per client (broker, Kafka clients, servers, jars). */
    public static final int FD_HEADROOM = 1_000;

    public PresenceJoinSpec {
        if (clients < 1) {
            throw new IllegalArgumentException("clients: " + clients + " (expected: >= 1)");
        }
        if (gateways < 1) {
            throw new IllegalArgumentException("gateways: " + gateways + " (expected: >= 1)");
        }
        if (consistencyTimeout == null || !consistencyTimeout.isPositive()) {
            throw new IllegalArgumentException("consistencyTimeout: " + consistencyTimeout + " (expected: > PT0S)");
        }
        if (settle == null || settle.isNegative()) {
            throw new IllegalArgumentException("settle: " + settle + " (expected: >= PT0S)");
        }
    }

    /** The same workload with {@code n} clients. */
    public PresenceJoinSpec withClients(int n) {
        return new PresenceJoinSpec(n, gateways, consistencyTimeout, settle);
    }

    /**
     * File descriptors this JVM needs: both ends of every WebSocket are in this process (client socket and
     * the gateway's accepted socket), plus {@link #FD_HEADROOM}.
     */
    public long fileDescriptorsNeeded() {
        return 2L * clients + FD_HEADROOM;
    }

    /** The gateway (0-based) client {@code i} connects to. */
    int gatewayOf(int client) {
        return client % gateways;
    }
}
