package io.switchboard.loadgen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * How the generator starts the single-process platform from its jar ({@code load compare}, {@code load aot-cache}):
 * two gateways by default, history and presence on, the demo page off, the generator's secret as
 * {@code gateway.auth.hs256-secret}, on a free port in 20000-29999. Filled by picocli, then read-only.
 *
 * <p>It is ready once its start-up line ({@code Switchboard is up: ... gateways ws://127.0.0.1:P/ws (netty
 * ws://127.0.0.1:N/ws) ...}) is printed: every tier is serving then, where a gateway's own log line comes when its
 * port is bound, before the platform admits clients. The generator takes each gateway's URL of the listener
 * {@code --listener} names from that line.
 */
final class PlatformOptions {
    /** Which WebSocket listener of each gateway the workloads use. */
    enum Listener {
        /** The main port, {@code gateway.port} (Helidon). */
        MAIN,
        /** The Netty listener, {@code gateway.netty.port}; started on a free port unless set. */
        NETTY
    }

    private static final String READY_LINE = "Switchboard is up: ";
    private static final String NETTY_PORT = "gateway.netty.port";
    // One gateway of the start-up line: its main URL, then its Netty URL in brackets when it has one.
    private static final Pattern GATEWAY = Pattern.compile("(" + ServerProcess.URL.pattern() + ")(?: \\(netty ("
            + ServerProcess.URL.pattern() + ")\\))?");

    @Option(names = "--gateways", defaultValue = "2", description = "gateways of the platform (default: ${DEFAULT-VALUE})")
    int gateways;

    // The G1 flags are a copy of deploy/jvm/server-g1.jvm-options, not read from it: the jar runs without the
    // repository. PlatformOptionsTest fails when the two differ.
    @Option(names = "--server-jvm-options", split = " ",
            defaultValue = "--enable-native-access=ALL-UNNAMED"
                    + " -XX:G1PeriodicGCInterval=5000 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30"
                    + " -XX:G1RSetUpdatingPauseTimePercent=1 -XX:MaxTenuringThreshold=2"
                    + " -XX:-ClassUnloadingWithConcurrentMark",
            description = "JVM options of the platform and the Helidon and Netty baselines, after"
                    + " --sun-misc-unsafe-memory-access=allow on JDK 24+ (default: those of ./switchboard run)")
    List<String> serverJvmOptions;

    @Option(names = "--platform-set", description = "a platform configuration key, e.g. gateway.limits.max-subscriptions=200 "
            + "(passed as a system property, which overrides the configuration file)")
    Map<String, String> platformSettings = new LinkedHashMap<>();

    @Option(names = "--listener", defaultValue = "main", description = "the gateways' listener the workloads use:"
            + " main (gateway.port) or netty (gateway.netty.port, started on a free port unless set) (default: main)")
    Listener listener;

    @Option(names = "--launcher-jar", defaultValue = "launcher/target/switchboard-launcher.jar")
    Path launcherJar;

    @Option(names = "--start-timeout", defaultValue = "PT180S", description = "how long a target may take to start")
    Duration startTimeout;

    /**
     * The JVM options of a server the generator starts with its own JDK: {@code --sun-misc-unsafe-memory-access=allow}
     * on JDK 24 and later (kafka-clients and Netty still touch {@code sun.misc.Unsafe}, which those JDKs warn about;
     * JDK 21 does not know the flag and would not start), then {@code --server-jvm-options}, which may override it.
     */
    List<String> serverJvm() {
        List<String> options = new ArrayList<>();
        if (Runtime.version().feature() >= 24) {
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        options.addAll(serverJvmOptions);
        return options;
    }

    /**
     * Starts the platform with {@code extraJvmOptions} after the configured ones; its output goes to {@code log}.
     * It is ready once it announced a WebSocket URL per gateway.
     */
    ServerProcess start(List<String> extraJvmOptions, String secret, Path log) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(serverJvm());
        cmd.addAll(extraJvmOptions);
        platformSettings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        if (listener == Listener.NETTY && !platformSettings.containsKey(NETTY_PORT)) {
            cmd.add("-D" + NETTY_PORT + "=0");
        }
        cmd.addAll(List.of("-jar", launcherJar.toString(), "--config",
                config(ServerProcess.freePort(), secret).toString()));
        Listener chosen = listener;
        return ServerProcess.start("switchboard", cmd, Path.of("").toAbsolutePath(), log, gateways,
                line -> gatewayUrls(line, chosen));
    }

    /**
     * The gateways' URLs of {@code listener} in the platform's start-up line, in gateway order; none for any other
     * line, and none when a gateway has no such listener (the platform then never counts as ready: the start
     * times out with the log named).
     */
    static List<URI> gatewayUrls(String line, Listener listener) {
        int at = line.indexOf(READY_LINE);
        if (at < 0) {
            return List.of();
        }
        int from = line.indexOf("gateways ", at);
        int to = line.indexOf(", routers", from);
        if (from < 0 || to < 0) {
            return List.of();
        }
        List<URI> urls = new ArrayList<>();
        Matcher m = GATEWAY.matcher(line.substring(from, to));
        while (m.find()) {
            String url = listener == Listener.MAIN ? m.group(1) : m.group(2);
            if (url == null) {
                return List.of();
            }
            urls.add(URI.create(url));
        }
        return urls;
    }

    private Path config(int port, String secret) {
        StringBuilder yaml = new StringBuilder()
                .append("launcher:\n  demo:\n    enabled: false\n  gateways: ").append(gateways).append('\n')
                .append("  history:\n    enabled: true\n  presence:\n    enabled: true\n")
                .append("gateway:\n  port: ").append(port).append('\n')
                .append("  auth:\n    hs256-secret: \"").append(secret).append("\"\n");
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
