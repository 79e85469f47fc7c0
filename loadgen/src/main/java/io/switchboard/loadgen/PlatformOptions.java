package io.switchboard.loadgen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How the generator starts the single-process platform from its jar ({@code load compare}, {@code load aot-cache}):
 * two gateways by default, history and presence on, the demo page off, the generator's secret as
 * {@code gateway.auth.hs256-secret}, on a free port in 20000-29999. Filled by picocli, then read-only.
 */
final class PlatformOptions {
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
        cmd.addAll(List.of("-jar", launcherJar.toString(), "--config",
                config(ServerProcess.freePort(), secret).toString()));
        return ServerProcess.start("switchboard", cmd, Path.of("").toAbsolutePath(), log, gateways);
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
