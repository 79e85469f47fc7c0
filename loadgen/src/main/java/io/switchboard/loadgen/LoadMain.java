package io.switchboard.loadgen;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./switchboard load --url ws://HOST:PORT/ws[,...] --workload idle|fanout|max|acks ...}: runs workloads
 * against a deployment that is already running; {@code load compare} starts the platform and the baselines
 * itself, one after the other. Exit code 0 when every workload ran (whatever its figures), 1 otherwise.
 */
@Command(name = "load", mixinStandardHelpOptions = true, subcommands = {CompareCommand.class, AotCacheCommand.class},
        description = "Load generator for a running Switchboard deployment (or a baseline speaking the same protocol).")
public final class LoadMain implements Callable<Integer> {
    @Option(names = "--url", split = ",", description = "gateway WebSocket URLs, e.g. ws://127.0.0.1:8080/ws (required)")
    List<URI> urls;

    @Option(names = "--server-pid", split = ",",
            description = "server processes to sample (default: the processes listening on the URLs' ports when the URLs"
                    + " are on loopback; none for another host, whose CPU and memory this machine cannot read)")
    List<Long> serverPids;

    @Option(names = "--name", defaultValue = "target", description = "the target's name in the tables (default: ${DEFAULT-VALUE})")
    String name;

    @Mixin
    LoadSettings settings;

    @Spec
    CommandSpec self;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new LoadMain()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public Integer call() {
        if (urls == null || urls.isEmpty()) {
            throw new CommandLine.ParameterException(self.commandLine(),
                    "--url: missing (expected: one or more ws:// URLs, or the compare subcommand)");
        }
        List<Long> pids = serverPids != null ? serverPids : listeners(urls);
        if (pids.isEmpty()) {
            System.out.println("server CPU and RSS: not sampled (the gateways are on another host; --server-pid names"
                    + " local processes)");
        }
        LoadReport report = run(settings, List.of(new Target(name, urls, pids)), "load " + LoadReport.withoutSecret(rawArgs()),
                System.out);
        return report == null ? 1 : 0;
    }

    private List<String> rawArgs() {
        return self.commandLine().getParseResult().originalArgs();
    }

    /**
     * The processes listening on the URLs' ports, each once; none when a URL's host is not on loopback (a process
     * here listening on the same port number would be another server).
     */
    static List<Long> listeners(List<URI> urls) {
        List<Long> pids = new ArrayList<>();
        if (!urls.stream().allMatch(LoadMain::onLoopback)) {
            return pids;
        }
        for (URI u : urls) {
            long pid = ProcStats.pidListeningOn(ClientPool.port(u));
            if (!pids.contains(pid)) {
                pids.add(pid);
            }
        }
        return pids;
    }

    /** Runs {@code settings} against every target in turn and writes the report. */
    static LoadReport run(LoadSettings settings, List<Target> targets, String command, PrintStream log) {
        List<LoadReport.TargetResult> results = new ArrayList<>();
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        double load = ProcStats.loadAverage();
        for (Target t : targets) {
            results.add(new TargetRun(settings, t, log).run());
        }
        LoadReport report = new LoadReport(command, started, LoadReport.describeMachine(), load, results);
        String md = report.write(settings.out);
        log.println();
        log.print(md);
        log.println("written to " + settings.out + ".json and .md");
        return report;
    }

    private static boolean onLoopback(URI url) {
        try {
            return InetAddress.getByName(url.getHost()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
