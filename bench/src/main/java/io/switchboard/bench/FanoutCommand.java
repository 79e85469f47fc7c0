package io.switchboard.bench;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code fanout} subcommand: options to {@link FanoutSpec}, then {@link FanoutBenchmark}. Not thread-safe. */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "Publish at a fixed rate to rooms of WebSocket subscribers; report publish-to-deliver latency "
                + "and deliveries/s for a bare Helidon WebSocket broadcast baseline and for Switchboard.")
final class FanoutCommand extends BenchCommand {
    @Option(names = "--clients", defaultValue = "1000", description = "Subscribing clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--rooms", defaultValue = "20", description = "Rooms, one publisher each (default: ${DEFAULT-VALUE}).")
    int rooms;

    @Option(names = "--rate", defaultValue = "200", description = "Publishes per second in total (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "PT20S", description = "Measurement window, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "PT5S", description = "Unmeasured publishing first (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--drain-timeout", defaultValue = "PT10S",
            description = "Wait this long after the last publish for deliveries in flight (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--payload-bytes", defaultValue = "64", description = "Bytes per publish payload (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Mixin
    SwitchboardGateways gateways;

    @Option(names = "--routers", defaultValue = "1", description = "Switchboard routers (default: ${DEFAULT-VALUE}).")
    int routers;

    @Option(names = "--only", defaultValue = "both",
            description = "Which targets: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    FanoutBenchmark.Targets only;

    @Option(names = "--out", defaultValue = "bench/target/fanout-results.md",
            description = "Result file; JSON if it ends in .json, Markdown otherwise (default: ${DEFAULT-VALUE}).")
    Path out;

    /** The workload the options describe; fails with a message naming the bad option. */
    FanoutSpec spec() {
        return new FanoutSpec(clients, rooms, rate, duration, warmup, payloadBytes, gateways.count(), routers,
                drainTimeout);
    }

    @Override
    protected boolean run() throws Exception {
        FanoutSpec spec = spec();
        new FanoutBenchmark(spec, only, System.out).run(out);
        return true;
    }
}
