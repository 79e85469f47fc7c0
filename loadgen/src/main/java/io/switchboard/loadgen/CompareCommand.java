package io.switchboard.loadgen;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./switchboard load compare}: starts each target as its own process, runs the same workloads against it
 * with the generator in its own processes, stops it, and writes one report with every target side by side.
 * Targets: {@code switchboard} (the single-process platform from its jar: two gateways, history and presence on,
 * Kafka {@code acks=all}), {@code helidon} (the bare Helidon WebSocket broadcast server of the bench module),
 * {@code ws} (a raw Node {@code ws} broadcast server; JSON only) and {@code netty} (the bare Netty WebSocket
 * broadcast server of the bench module, the ceiling of a Netty listener).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run the workloads against the platform and the baselines, one after the other, in one report.")
final class CompareCommand implements Callable<Integer> {
    /** The systems {@code compare} can start. */
    enum TargetKind { SWITCHBOARD, HELIDON, WS, NETTY }

    @Option(names = "--targets", split = ",", defaultValue = "switchboard,helidon,ws,netty",
            description = "targets in run order: switchboard (the platform), helidon (bare Helidon SE WebSocket"
                    + " broadcast server), ws (raw Node ws server, JSON only), netty (bare Netty WebSocket broadcast"
                    + " server) (default: ${DEFAULT-VALUE})")
    List<TargetKind> targets;

    @Mixin
    PlatformOptions platform;

    @Option(names = "--aot-cache",
            description = "start the platform from this AOT cache (Java 25+), trained first when it is missing or older than the jars")
    Path aotCache;

    @Option(names = "--bench-jar", defaultValue = "bench/target/switchboard-bench.jar")
    Path benchJar;

    @Option(names = "--node-script", defaultValue = "loadgen/node/ws-broadcast.mjs")
    Path nodeScript;

    @Mixin
    LoadSettings settings;

    @Spec
    CommandSpec self;

    @Override
    public Integer call() {
        if (settings.tokenKey != null || settings.tokenKeyId != null || settings.issuer != null
                || settings.audience != null || settings.caFile != null) {
            throw new CommandLine.ParameterException(self.commandLine(), "--token-key, --token-key-id, --issuer,"
                    + " --audience and --ca-file are for `load --url` against a deployment: compare starts its own"
                    + " servers, which verify --secret and serve ws://");
        }
        List<Target> started = new ArrayList<>();
        List<LoadReport.TargetResult> results = new ArrayList<>();
        String command = "load " + LoadReport.withoutSecret(self.commandLine().getParseResult().originalArgs());
        String startedAt = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        double load = ProcStats.loadAverage();
        if (settings.workloads.contains(Workload.DASHBOARD)) {
            // The dashboard's conflated variant publishes into this namespace; the others are not conflated.
            platform.platformSettings.putIfAbsent("gateway.conflation.namespaces." + settings.dashboardNamespace
                    + ".max-rate", Integer.toString(settings.dashboardMaxRate));
        }
        if (settings.workloads.contains(Workload.DASHBOARD) || settings.compression) {
            // Clients that offer permessage-deflate get it only from a platform that accepts it.
            platform.platformSettings.putIfAbsent("gateway.compression.enabled", "true");
        }
        if (aotCache != null && targets.contains(TargetKind.SWITCHBOARD)) {
            if (AotCache.current(aotCache, platform.launcherJar)) {
                System.out.println("aot-cache: " + aotCache + " is newer than the jars: used as it is");
            } else {
                AotCache.train(platform, settings, aotCache, System.out);
            }
        }
        for (TargetKind kind : targets) {
            if (kind == TargetKind.WS && settings.subprotocol != WireFormat.JSON) {
                System.out.println("ws: skipped (the Node baseline speaks JSON only)");
                continue;
            }
            String name = kind.name().toLowerCase(Locale.ROOT);
            try (ServerProcess server = start(kind)) {
                List<java.net.URI> urls;
                try {
                    urls = server.awaitUrls(platform.startTimeout);
                } catch (IllegalStateException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw e;
                    }
                    // One target that cannot start (a baseline's runtime missing) must not discard the figures of
                    // the others: it is reported and left out of the table.
                    System.out.println(name + ": not measured: " + e.getMessage());
                    continue;
                }
                Target target = new Target(name, urls, List.of(server.pid()));
                started.add(target);
                System.out.println(name + ": pid " + server.pid() + " at " + urls);
                try {
                    results.add(new TargetRun(settings, target, System.out).run());
                } catch (RuntimeException e) {
                    throw server.failure(e);
                }
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
            case SWITCHBOARD -> platform.start(aotCache == null ? List.of() : AotCache.useOptions(aotCache), settings.secret,
                    logs.resolve("switchboard.log"));
            case HELIDON -> startBaseline("helidon", "io.switchboard.bench.BroadcastBaselineMain", java, port, cwd, logs);
            case WS -> ServerProcess.start("ws", List.of("node", nodeScript.toString(), "--port", Integer.toString(port)),
                    cwd, logs.resolve("ws.log"), 1);
            case NETTY -> startBaseline("netty", "io.switchboard.bench.netty.NettyBroadcastBaselineMain", java, port, cwd,
                    logs);
        };
    }

    /** A baseline of the bench jar with the platform's JVM options; it announces one URL. */
    private ServerProcess startBaseline(String name, String mainClass, String java, int port, Path cwd, Path logs) {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(platform.serverJvm());
        cmd.addAll(List.of("-cp", benchJar.toString(), mainClass, "--port", Integer.toString(port)));
        return ServerProcess.start(name, cmd, cwd, logs.resolve(name + ".log"), 1);
    }
}
