package io.switchboard.bench.authz;

import io.switchboard.bench.BenchCommand;
import io.switchboard.bench.MarkdownResultFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code authz} subcommand: options to {@link AuthzBenchmark.Spec}, then the run. Not thread-safe. */
@Command(name = "authz", mixinStandardHelpOptions = true,
        description = "Connect + subscribe rate with rooms granted by a namespace policy (baseline), by the token's"
                + " rooms claim, and by a backend Authorizer (cached answers, first asks), side by side in one run"
                + " against one in-process cluster.")
public final class AuthzCommand extends BenchCommand {
    @Option(names = "--clients", defaultValue = "400", description = "Connections per variant and round (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--concurrency", defaultValue = "32", description = "Connections in progress at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--rooms", defaultValue = "5", description = "Rooms each connection subscribes to (default: ${DEFAULT-VALUE}).")
    int rooms;

    @Option(names = "--token-patterns", defaultValue = "20",
            description = "Patterns in the token variant's rooms claim, the granting one last (default: ${DEFAULT-VALUE}).")
    int tokenPatterns;

    @Option(names = "--rounds", defaultValue = "6", description = "Measured rounds; variants alternate within each (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup-rounds", defaultValue = "4", description = "Unmeasured rounds first (default: ${DEFAULT-VALUE}).")
    int warmupRounds;

    @Mixin
    MarkdownResultFile out;

    @Override
    protected boolean run() throws Exception {
        AuthzBenchmark.Spec spec = new AuthzBenchmark.Spec(clients, concurrency, rooms, tokenPatterns, rounds,
                warmupRounds);
        boolean clean = new AuthzBenchmark(spec, System.out).run(out.path()).stream().allMatch(r -> r.failures() == 0);
        return clean;
    }
}
