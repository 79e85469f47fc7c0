package io.switchboard.bench.netty;

import io.switchboard.bench.baseline.BaselineProcess;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -cp switchboard-bench.jar io.switchboard.bench.netty.NettyBroadcastBaselineMain [--port N]
 * [--threads N]}: the bare Netty broadcast server as its own process, the {@code netty} target of
 * {@code ./switchboard load compare}. Prints its WebSocket URL once it listens and runs until it is terminated.
 */
@Command(name = "netty-broadcast-baseline", mixinStandardHelpOptions = true,
        description = "The bare Netty WebSocket broadcast server, a baseline of `load compare`.")
public final class NettyBroadcastBaselineMain implements Callable<Integer> {
    @Option(names = "--port", description = "port to bind; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--threads", description = "event loops (default: one per core, ${DEFAULT-VALUE} here)")
    int threads = Runtime.getRuntime().availableProcessors();

    private NettyBroadcastBaselineMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new NettyBroadcastBaselineMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        NettyBroadcastBaseline server = new NettyBroadcastBaseline().start(port, threads);
        BaselineProcess.serveUntilTerminated(server,
                "Netty broadcast baseline (" + server.transport() + ", " + threads + " event loops)");
        return CommandLine.ExitCode.OK;
    }
}
