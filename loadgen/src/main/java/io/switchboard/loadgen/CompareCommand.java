package io.switchboard.loadgen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./switchboard load compare}: starts each target as its own process, runs the same workloads against it
 * with the generator in its own processes, stops it, and writes one report with every target side by side.
 * Targets: {@code switchboard} (the single-process platform from its jar: two gateways, history and presence on,
 * Kafka {@code acks=all}), {@code helidon} (the bare Helidon WebSocket broadcast server of the bench module) and
 * {@code ws} (a raw Node {@code ws} broadcast server; JSON only).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run the workloads against the platform and the baselines, one after the other, in one report.")
final class CompareCommand implements Callable<Integer> {
    /** The systems {@code compare} can start. */
    enum TargetKind { SWITCHBOARD, HELIDON, WS }

    @Option(names = "--targets", split = ",", defaultValue = "switchboard,helidon,ws",
            description = "targets in run order (default: ${DEFAULT-VALUE})")
    List<TargetKind> targets;

    @Option(names = "--gateways", defaultValue = "2", description = "gateways of the platform (default: ${DEFAULT-VALUE})")
    int gateways;

    @Option(names = "--server-jvm-options", split = " ",
            defaultValue = "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow",
            description = "JVM options of the platform and the Helidon baseline (default: those of ./switchboard run)")
    List<String> serverJvmOptions;

    @Option(names = "--platform-set", description = "a platform configuration key, e.g. gateway.limits.max-subscriptions=200 "
            + "(passed as a system property, which overrides the configuration file)")
    java.util.Map<String, String> platformSettings = new java.util.LinkedHashMap<>();

    @Option(names = "--launcher-jar", defaultValue = "launcher/target/switchboard-launcher.jar")
    Path launcherJar;

    @Option(names = "--bench-jar", defaultValue = "bench/target/switchboard-bench.jar")
    Path benchJar;

    @Option(names = "--node-script", defaultValue = "loadgen/node/ws-broadcast.mjs")
    Path nodeScript;

    @Option(names = "--start-timeout", defaultValue = "PT180S", description = "how long a target may take to start")
    Duration startTimeout;

    @Mixin
    LoadSettings settings;

    @Spec
    CommandSpec self;

    @Override
    public Integer call() {
        List<Target> started = new ArrayList<>();
        List<LoadReport.TargetResult> results = new ArrayList<>();
        String command = "load " + LoadReport.withoutSecret(self.commandLine().getParseResult().originalArgs());
        String startedAt = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        double load = ProcStats.loadAverage();
        for (TargetKind kind : targets) {
            if (kind == TargetKind.WS && settings.subprotocol != WireFormat.JSON) {
                System.out.println("ws: skipped (the Node baseline speaks JSON only)");
                continue;
            }
            String name = kind.name().toLowerCase(Locale.ROOT);
            try (ServerProcess server = start(kind)) {
                List<java.net.URI> urls = server.awaitUrls(startTimeout);
                Target target = new Target(name, urls, List.of(server.pid()));
                started.add(target);
                System.out.println(name + ": pid " + server.pid() + " at " + urls);
                results.add(new TargetRun(settings, target, System.out).run());
            }
        }
        LoadReport report = new LoadReport(command, startedAt, LoadReport.describeMachine(), load, results);
        System.out.println();
        System.out.print(report.write(settings.out));
        System.out.println("written to " + settings.out + ".json and .md");
        return started.isEmpty() ? 1 : 0;
    }

    private ServerProcess start(TargetKind kind) {
        Path logs = settings.out.toAbsolutePath().getParent();
        String java = ProcessHandle.current().info().command().orElse("java");
        int port = ServerProcess.freePort();
        Path cwd = Path.of("").toAbsolutePath();
        return switch (kind) {
            case SWITCHBOARD -> {
                List<String> cmd = new ArrayList<>(List.of(java));
                cmd.addAll(serverJvmOptions);
                platformSettings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
                cmd.addAll(List.of("-jar", launcherJar.toString(), "--config", platformConfig(port).toString()));
                yield ServerProcess.start("switchboard", cmd, cwd, logs.resolve("switchboard.log"), gateways);
            }
            case HELIDON -> {
                List<String> cmd = new ArrayList<>(List.of(java));
                cmd.addAll(serverJvmOptions);
                cmd.addAll(List.of("-cp", benchJar.toString(), "io.switchboard.bench.BroadcastBaselineMain",
                        "--port", Integer.toString(port)));
                yield ServerProcess.start("helidon", cmd, cwd, logs.resolve("helidon.log"), 1);
            }
            case WS -> ServerProcess.start("ws", List.of("node", nodeScript.toString(), "--port", Integer.toString(port)),
                    cwd, logs.resolve("ws.log"), 1);
        };
    }

    private Path platformConfig(int port) {
        StringBuilder yaml = new StringBuilder()
                .append("launcher:\n  demo:\n    enabled: false\n  gateways: ").append(gateways).append('\n')
                .append("  history:\n    enabled: true\n  presence:\n    enabled: true\n")
                .append("gateway:\n  port: ").append(port).append('\n')
                .append("  auth:\n    hs256-secret: \"").append(settings.secret).append("\"\n");
        try {
            Path file = Files.createTempFile("switchboard-load-", ".yaml");
            file.toFile().deleteOnExit();
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
