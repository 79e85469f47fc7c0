package io.switchboard.bench.presence;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

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

    /** @throws IllegalArgumentException with picocli's message when the arguments are not {@link #toArgs()}'s */
    static ClientShare parse(String[] args) {
        Arguments a = new Arguments();
        try {
            new CommandLine(a).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new ClientShare(a.first, a.count, a.expectedUsers, a.consistencyTimeout, a.gateways);
    }

    /** The child's command line, as {@link #toArgs()} writes it. */
    @Command(name = "PresenceClients")
    private static final class Arguments {
        @Parameters(index = "0", paramLabel = "FIRST")
        int first;
        @Parameters(index = "1", paramLabel = "COUNT")
        int count;
        @Parameters(index = "2", paramLabel = "EXPECTED-USERS")
        int expectedUsers;
        @Parameters(index = "3", paramLabel = "CONSISTENCY-TIMEOUT")
        Duration consistencyTimeout;
        @Parameters(index = "4..*", arity = "1..*", paramLabel = "GATEWAY-URI")
        List<URI> gateways;
    }
}
