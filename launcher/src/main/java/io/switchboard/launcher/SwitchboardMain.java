package io.switchboard.launcher;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.logging.common.LogConfig;
import io.switchboard.service.telemetry.LogFormat;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import io.switchboard.gateway.GatewayKeys;
import io.switchboard.service.ConfigFiles;
import io.switchboard.service.HeapGovernor;
import io.switchboard.service.config.Settings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar switchboard-launcher.jar [--config FILE]...} (picocli): the whole platform in one process on
 * loopback, with a real Kafka broker, a router, the presence and history services, a gateway and the demo page at
 * http://localhost:8080/. Exit code 2 on a bad argument or configuration value, 1 when it cannot start.
 */
@Command(name = "switchboard", description = "Runs the whole platform in one process: an embedded Kafka broker,"
        + " routers, the presence and history services, gateways and the demo page (docs/configuration.md, launcher).")
public final class SwitchboardMain implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(SwitchboardMain.class.getName());

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration of the launcher and every"
            + " service (repeatable; the first file wins); environment variables and system properties override it.")
    private List<Path> configFiles = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    private boolean help;

    private SwitchboardMain() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        // Session and trace ids after each message (the tiers' log-format keys apply to their own processes only).
        LogFormat.apply("text");
        int exit = new CommandLine(new SwitchboardMain()).setCommandName("java -jar switchboard-launcher.jar")
                .execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        ClusterSpec spec;
        String secret;
        boolean demo;
        List<String> demoRooms;
        HeapGovernor.Settings heap;
        try {
            Config files = load(configFiles);
            // launcher.* keys honour the environment too; service keys get it layered on by LocalCluster.
            Config config = Config.builder().addSource(ConfigSources.create(files)).build();
            Settings launcher = LauncherKeys.CATALOGUE.read(config);
            demo = launcher.get(LauncherKeys.DEMO_ENABLED);
            demoRooms = DemoTokenService.patterns(launcher.get(LauncherKeys.DEMO_ROOMS));
            secret = config.get(GatewayKeys.AUTH.hs256Secret.name()).asString()
                    .orElseGet(SwitchboardMain::randomSecret);
            spec = spec(launcher, files.asMap().orElseGet(Map::of), secret);
            heap = HeapGovernor.Settings.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            System.err.println("switchboard: configuration error: " + e.getMessage());
            return CommandLine.ExitCode.USAGE;
        }
        if (demo) {
            spec.firstGatewayRouting(demoRouting(secret, demoRooms));
        }
        LocalCluster cluster;
        try {
            cluster = spec.build().start();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "switchboard failed to start: " + e.getMessage(), e);
            return CommandLine.ExitCode.SOFTWARE;
        }
        // From ready on: start-up (and the gateways' warm-up, which gives its heap back after) keeps the tight heap.
        HeapGovernor.startIfEnabled(heap);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "switchboard-shutdown"));
        LOG.info(() -> ClusterStatus.summary(cluster) + (demo ? " (demo page: open " + cluster.httpUri(0)
                + " in two browser tabs)" : ""));
        stopped.await();
        return CommandLine.ExitCode.OK;
    }

    /** What to start, from the launcher's keys; {@code base} is every file's keys, for the services. */
    private static ClusterSpec spec(Settings launcher, Map<String, String> base, String secret) {
        ClusterSpec spec = LocalCluster.builder()
                .base(base)
                .environmentOverrides(true)
                .set(GatewayKeys.AUTH.hs256Secret.name(), secret)
                .routers(launcher.get(LauncherKeys.ROUTERS))
                .gateways(launcher.get(LauncherKeys.GATEWAYS))
                .history(launcher.get(LauncherKeys.HISTORY_ENABLED))
                .presence(launcher.get(LauncherKeys.PRESENCE_ENABLED))
                .kafkaPort(launcher.get(LauncherKeys.KAFKA_PORT))
                .inProcessGrpc(launcher.get(LauncherKeys.IN_PROCESS_GRPC));
        launcher.find(LauncherKeys.HISTORY_DATA_DIR).ifPresent(spec::historyDataDir);
        launcher.find(LauncherKeys.KAFKA_BOOTSTRAP_SERVERS).ifPresent(spec::externalKafka);
        launcher.find(LauncherKeys.KAFKA_DATA_DIR).ifPresent(spec::kafkaDataDir);
        launcher.find(LauncherKeys.LOCAL_FEED).ifPresent(spec::localFeed);
        return spec;
    }

    /** The demo page at {@code /} and its development-only token endpoint {@code POST /demo/token}. */
    static Consumer<HttpRouting.Builder> demoRouting(String hs256Secret) {
        return demoRouting(hs256Secret, DemoTokenService.DEMO_ROOMS);
    }

    /** {@link #demoRouting(String)} whose tokens grant {@code rooms} (room patterns). */
    static Consumer<HttpRouting.Builder> demoRouting(String hs256Secret, List<String> rooms) {
        DemoTokenService tokens = new DemoTokenService(hs256Secret, rooms, Duration.ofHours(12), Clock.systemUTC());
        return routing -> routing
                .register("/demo", tokens)
                .register("/", StaticContentFeature.createService(
                        ClasspathHandlerConfig.builder().location("web").welcome("index.html").build()));
    }

    /** The files, then the bundled defaults; environment variables and system properties are layered on later. */
    private static Config load(List<Path> files) {
        Config.Builder builder = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource();
        files.forEach(file -> builder.addSource(ConfigSources.file(ConfigFiles.readable(file))));
        return builder.addSource(ConfigSources.classpath("switchboard-defaults.yaml")).build();
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
