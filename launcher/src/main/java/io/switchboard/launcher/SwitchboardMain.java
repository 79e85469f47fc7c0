package io.switchboard.launcher;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.logging.common.LogConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import io.switchboard.service.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * {@code java -jar switchboard-launcher.jar [--config FILE]}: the whole platform in one process on loopback,
 * with a real Kafka broker, a router, the presence and history services, a gateway and the demo page at
 * http://localhost:8080/.
 */
public final class SwitchboardMain {
    private static final Logger LOG = Logger.getLogger(SwitchboardMain.class.getName());

    private SwitchboardMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LogConfig.configureRuntime();
        Config files = load(args);
        // launcher.* keys honour the environment too; service keys get it layered on by LocalCluster.
        Config config = Config.builder().addSource(ConfigSources.create(files)).build();
        Map<String, String> flat = files.asMap().orElseGet(Map::of);

        Settings launcher = LauncherKeys.CATALOGUE.read(config);
        boolean demo = launcher.get(LauncherKeys.DEMO_ENABLED);
        String secret = config.get("gateway.auth.hs256-secret").asString().orElseGet(SwitchboardMain::randomSecret);
        ClusterSpec spec = LocalCluster.builder()
                .base(flat)
                .environmentOverrides(true)
                .set("gateway.auth.hs256-secret", secret)
                .routers(launcher.get(LauncherKeys.ROUTERS))
                .gateways(launcher.get(LauncherKeys.GATEWAYS))
                .history(launcher.get(LauncherKeys.HISTORY_ENABLED))
                .presence(launcher.get(LauncherKeys.PRESENCE_ENABLED));
        launcher.find(LauncherKeys.HISTORY_DATA_DIR).ifPresent(spec::historyDataDir);
        launcher.find(LauncherKeys.KAFKA_BOOTSTRAP_SERVERS).ifPresent(spec::externalKafka);
        launcher.find(LauncherKeys.KAFKA_DATA_DIR).ifPresent(spec::kafkaDataDir);
        spec.kafkaPort(launcher.get(LauncherKeys.KAFKA_PORT));
        if (demo) {
            spec.firstGatewayRouting(demoRouting(secret));
        }

        LocalCluster cluster = spec.build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "switchboard-shutdown"));
        LOG.info(() -> ClusterStatus.summary(cluster) + (demo ? " (demo page: open " + cluster.httpUri(0)
                + " in two browser tabs)" : ""));
        stopped.await();
    }

    /** The demo page at {@code /} and its development-only token endpoint {@code POST /demo/token}. */
    static Consumer<HttpRouting.Builder> demoRouting(String hs256Secret) {
        DemoTokenService tokens = new DemoTokenService(hs256Secret, Duration.ofHours(12), Clock.systemUTC());
        return routing -> routing
                .register("/demo", tokens)
                .register("/", StaticContentFeature.createService(
                        ClasspathHandlerConfig.builder().location("web").welcome("index.html").build()));
    }

    private static Config load(String[] args) {
        // Only the files here: environment variables and system properties are layered on by LocalCluster.
        Config.Builder builder = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                Path file = Path.of(args[++i]);
                if (!Files.isReadable(file)) {
                    throw new IllegalArgumentException("--config: " + file + " (expected: a readable YAML file)");
                }
                builder.addSource(ConfigSources.file(file));
            } else {
                throw new IllegalArgumentException("unknown argument: " + args[i] + " (expected: [--config FILE])");
            }
        }
        return builder.addSource(ConfigSources.classpath("switchboard-defaults.yaml")).build();
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
