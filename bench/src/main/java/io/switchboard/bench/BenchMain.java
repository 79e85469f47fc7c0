package io.switchboard.bench;

import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of {@code ./switchboard bench}: {@code fanout} is the default subcommand, so
 * {@code bench --clients 100} runs {@code bench fanout --clients 100}; {@code resume-storm}, {@code api-stream}, {@code presence-join}, {@code authz} and {@code rate-limit} are the others. Not thread-safe: one run per JVM.
 */
@Command(name = "switchboard-bench", mixinStandardHelpOptions = true, subcommands = {FanoutCommand.class, ResumeStormCommand.class, io.switchboard.bench.api.ApiStreamCommand.class,
                io.switchboard.bench.presence.PresenceJoinCommand.class, io.switchboard.bench.authz.AuthzCommand.class,
                io.switchboard.bench.limits.RateLimitCommand.class},
        description = "Switchboard benchmarks, each run beside its baseline.")
public final class BenchMain implements Runnable {
    private static final Set<String> OWN_OPTIONS = Set.of("-h", "--help", "-V", "--version");

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(withDefaultSubcommand(args)));
    }

    /** The picocli command line, for tests and embedding. */
    static CommandLine commandLine() {
        return new CommandLine(new BenchMain()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    static String[] withDefaultSubcommand(String[] args) {
        if (args.length > 0 && (!args[0].startsWith("-") || OWN_OPTIONS.contains(args[0]))) {
            return args;
        }
        String[] withFanout = new String[args.length + 1];
        withFanout[0] = "fanout";
        System.arraycopy(args, 0, withFanout, 1, args.length);
        return withFanout;
    }

    @Spec
    CommandSpec self;

    @Override
    public void run() {
        // Reached only with no subcommand, which withDefaultSubcommand prevents; keep it explicit anyway.
        throw new CommandLine.ParameterException(self.commandLine(),
                "no benchmark given (expected: one of " + self.subcommands().keySet() + ")");
    }
}
