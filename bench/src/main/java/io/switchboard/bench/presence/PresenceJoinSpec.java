package io.switchboard.bench.presence;

import java.time.Duration;

/**
 * The presence-join workload: {@code clients} clients, each its own user, connected round-robin to
 * {@code gateways} gateways from {@code clientProcesses} child JVMs, then all subscribing to {@link #ROOM} with
 * {@code presence=true} at once. Immutable.
 *
 * @param clients            clients (and users) of the large run; the small run uses a tenth of them
 * @param gateways           gateways of the cluster
 * @param clientProcesses    child JVMs the clients are split over (contiguous shares, sizes differing by at most 1)
 * @param consistencyTimeout how long after the first join every client must see the full count
 * @param settle             how long after consistency the run keeps counting presence frames (late events)
 */
public record PresenceJoinSpec(int clients, int gateways, int clientProcesses, Duration consistencyTimeout,
                               Duration settle) {
    /** The room every client joins. */
    public static final String ROOM = "bench:presence";
    /** File descriptors a JVM needs besides one per connection end (broker, Kafka clients, servers, jars). */
    public static final int FD_HEADROOM = 1_000;
    /** Clients one child JVM holds at most when the process count is chosen automatically. */
    public static final int MAX_CLIENTS_PER_PROCESS = 8_000;

    public PresenceJoinSpec {
        if (clients < 1) {
            throw new IllegalArgumentException("clients: " + clients + " (expected: >= 1)");
        }
        if (gateways < 1) {
            throw new IllegalArgumentException("gateways: " + gateways + " (expected: >= 1)");
        }
        if (clientProcesses < 1 || clientProcesses > clients) {
            throw new IllegalArgumentException("clientProcesses: " + clientProcesses + " (expected: 1.." + clients + ")");
        }
        if (consistencyTimeout == null || !consistencyTimeout.isPositive()) {
            throw new IllegalArgumentException("consistencyTimeout: " + consistencyTimeout + " (expected: > PT0S)");
        }
        if (settle == null || settle.isNegative()) {
            throw new IllegalArgumentException("settle: " + settle + " (expected: >= PT0S)");
        }
    }

    /** The fewest child JVMs that keep each at or under {@link #MAX_CLIENTS_PER_PROCESS} clients. */
    public static int processesFor(int clients) {
        return Math.max(1, (clients + MAX_CLIENTS_PER_PROCESS - 1) / MAX_CLIENTS_PER_PROCESS);
    }

    /** The same workload with {@code n} clients, over as many of the same child JVMs as have a client. */
    public PresenceJoinSpec withClients(int n) {
        return new PresenceJoinSpec(n, gateways, Math.min(clientProcesses, n), consistencyTimeout, settle);
    }

    /** The first client (0-based) of child {@code process}. */
    int firstClientOf(int process) {
        return (int) ((long) clients * process / clientProcesses);
    }

    /** Clients of the largest child JVM. */
    int largestShare() {
        return (clients + clientProcesses - 1) / clientProcesses;
    }

    /** File descriptors the server JVM needs: the gateway end of every connection plus {@link #FD_HEADROOM}. */
    public long serverFileDescriptorsNeeded() {
        return (long) clients + FD_HEADROOM;
    }

    /** File descriptors the largest child JVM needs: the client end of its share plus {@link #FD_HEADROOM}. */
    public long clientFileDescriptorsNeeded() {
        return (long) largestShare() + FD_HEADROOM;
    }

    /** The gateway (0-based) client {@code i} connects to. */
    static int gatewayOf(int client, int gateways) {
        return client % gateways;
    }
}
