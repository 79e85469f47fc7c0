package io.switchboard.bench;

import io.switchboard.bench.baseline.BaselineProcess;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -cp switchboard-bench.jar io.switchboard.bench.BroadcastBaselineMain [--port N]}: the bare Helidon
 * broadcast server as its own process, the baseline of {@code ./switchboard load compare}. Prints its WebSocket
 * URL once it listens and runs until it is terminated.
 */
@Command(name = "broadcast-baseline", mixinStandardHelpOptions = true,
        description = "The bare Helidon WebSocket broadcast server, the baseline of `load compare`.")
public final class BroadcastBaselineMain implements Callable<Integer> {
    @Option(names = "--port", description = "port to bind; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    private BroadcastBaselineMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BroadcastBaselineMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        BaselineProcess.serveUntilTerminated(new BroadcastBaseline().start(port), "Helidon broadcast baseline");
        return CommandLine.ExitCode.OK;
    }
}
