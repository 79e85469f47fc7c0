package io.switchboard.bench;

import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code resume-storm} subcommand: options to {@link ResumeStormSpec}, then {@link ResumeStormBenchmark}. Not thread-safe. */
@Command(name = "resume-storm", mixinStandardHelpOptions = true,
        description = "Many clients resume one room at once after missing messages; report the time until all are"
                + " live and the history store reads, with coalesced history reads and with coalescing off.")
final class ResumeStormCommand extends BenchCommand {
    @Option(names = "--clients", defaultValue = "1000", description = "Resuming clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--missed", defaultValue = "500", description = "Messages each client missed, 1-10000 (default: ${DEFAULT-VALUE}).")
    int missed;

    @Mixin
    SwitchboardGateways gateways;

    @Option(names = "--live-timeout", defaultValue = "PT120S",
            description = "Clients not live this long after the storm starts count as failures (default: ${DEFAULT-VALUE}).")
    Duration liveTimeout;

    @Option(names = "--only", defaultValue = "both",
            description = "Which variants: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    ResumeStormBenchmark.Only only;

    @Mixin
    MarkdownResultFile out;

    @Override
    protected boolean run() throws Exception {
        ResumeStormSpec spec = new ResumeStormSpec(clients, missed, gateways.count(), liveTimeout);
        new ResumeStormBenchmark(spec, only, System.out).run(out.path());
        return true;
    }
}
