package io.switchboard.bench.presence;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What one child JVM does: clients {@code first .. first + count - 1} (user {@code presence-user-<i>}, gateway
 * {@code i % gateways.size()}) expecting {@code expectedUsers} in the room. Passed as command-line arguments.
 * Immutable.
 *
 * @param first              first client number
 * @param count              clients of this child
 * @param expectedUsers      the full count every client waits for (all children together)
 * @param consistencyTimeout how long after its first join the child waits for that count
 * @param gateways           every gateway's WebSocket URI, in cluster order
 */
record ClientShare(int first, int count, int expectedUsers, Duration consistencyTimeout, List<URI> gateways) {
    ClientShare {
        if (first < 0 || count < 1 || expectedUsers < first + count) {
            throw new IllegalArgumentException("share: first " + first + ", count " + count + ", expected "
                    + expectedUsers + " (expected: first >= 0, count >= 1, first + count <= expected)");
        }
        if (consistencyTimeout == null || !consistencyTimeout.isPositive()) {
            throw new IllegalArgumentException("consistencyTimeout: " + consistencyTimeout + " (expected: > PT0S)");
        }
        gateways = List.copyOf(gateways);
        if (gateways.isEmpty()) {
            throw new IllegalArgumentException("gateways: [] (expected: at least one)");
        }
    }

    URI gatewayOf(int client) {
        return gateways.get(PresenceJoinSpec.gatewayOf(client, gateways.size()));
    }

    List<String> toArgs() {
        List<String> args = new ArrayList<>(List.of(Integer.toString(first), Integer.toString(count),
                Integer.toString(expectedUsers), consistencyTimeout.toString()));
        gateways.forEach(uri -> args.add(uri.toString()));
        return args;
    }

    static ClientShare parse(String[] args) {
        if (args.length < 5) {
            throw new IllegalArgumentException("arguments: " + List.of(args)
                    + " (expected: FIRST COUNT EXPECTED-USERS CONSISTENCY-TIMEOUT GATEWAY-URI...)");
        }
        List<URI> uris = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            uris.add(URI.create(args[i]));
        }
        return new ClientShare(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Duration.parse(args[3]), uris);
    }
}
