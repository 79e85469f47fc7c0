package io.switchboard.bench.presence;

import java.time.Duration;
import io.switchboard.bench.BenchCommand;
import io.switchboard.bench.MarkdownResultFile;
import io.switchboard.bench.SwitchboardGateways;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code presence-join} subcommand: options to {@link PresenceJoinSpec}, then {@link PresenceJoinBenchmark}. Not thread-safe. */
@Command(name = "presence-join", mixinStandardHelpOptions = true,
        description = "N clients join one room with presence at once (and N/10 in the same run); report the time"
                + " until every client sees N users and the presence frames/bytes per client, beside the N-per-client"
                + " (N^2 in total) of a naive one-event-per-join design.")
public final class PresenceJoinCommand extends BenchCommand {
    @Option(names = "--clients", defaultValue = "10000",
            description = "Clients (and users) of the large run; the small run has a tenth (default: ${DEFAULT-VALUE}).")
    int clients;

    @Mixin
    SwitchboardGateways gateways;

    @Option(names = "--client-processes", defaultValue = "0",
            description = "Child JVMs running the clients; 0 chooses the fewest that keep each at or under "
                    + PresenceJoinSpec.MAX_CLIENTS_PER_PROCESS + " clients (default: ${DEFAULT-VALUE}).")
    int clientProcesses;

    @Option(names = "--consistency-timeout", defaultValue = "PT120S",
            description = "How long after the first join every client must see the full count (default: ${DEFAULT-VALUE}).")
    Duration consistencyTimeout;

    @Option(names = "--settle", defaultValue = "PT2S",
            description = "Presence frames still counted after consistency (default: ${DEFAULT-VALUE}).")
    Duration settle;

    @Mixin
    MarkdownResultFile out;

    @Override
    protected boolean run() throws Exception {
        int processes = clientProcesses == 0 ? PresenceJoinSpec.processesFor(clients) : clientProcesses;
        PresenceJoinSpec spec = new PresenceJoinSpec(clients, gateways.count(), processes, consistencyTimeout, settle);
        var results = new PresenceJoinBenchmark(spec, System.out).run(out.path());
        return results.stream().allMatch(r -> r.inconsistent() == 0 && r.errors() == 0);
    }
}
