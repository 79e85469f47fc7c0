package io.switchboard.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.Main;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;
import io.helidon.logging.common.LogConfig;

/**
 * {@code java -jar switchboard-gateway.jar [--config FILE]}: loads the configuration (environment variables,
 * then system properties, then the optional file, then the classpath's {@code gateway-defaults.yaml}), starts a
 * {@link GatewayServer} and drains and stops it on SIGTERM (a shutdown hook, bounded by
 * {@code gateway.drain-timeout}): the same paced drain as {@code POST /admin/drain} (Drain frame, then close
 * 3000 in batches), joined when the admin endpoint already started it; the drain's report is logged.
 */
public final class GatewayMain {
    private static final Logger LOG = Logger.getLogger(GatewayMain.class.getName());

    private GatewayMain() {
    }

    public static void main(String[] args) {
        LogConfig.configureRuntime();
        GatewayConfig config;
        try {
            config = GatewayConfig.from(loadConfig(args));
        } catch (IllegalArgumentException e) {
            System.err.println("Invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        GatewayServer server = GatewayServer.builder(config).build();
        // Helidon's shutdown hook keeps JUL logging alive until its handlers are done (a plain JVM hook would
        // race the LogManager's own reset and lose the drain's log lines).
        Main.addShutdownHandler(() -> {
            LOG.info("Shutdown requested; draining for up to " + config.drainTimeout());
            server.stop(config.drainTimeout());
        });
        try {
            server.start();
        } catch (IllegalStateException e) {
            LOG.log(Level.SEVERE, "Gateway failed to start", e);
            System.exit(1);
        }
    }

    /**
     * Builds the layered configuration. Earlier sources win: environment variables, system properties, the
     * {@code --config} file, then {@code gateway-defaults.yaml} from the classpath.
     *
     * @throws IllegalArgumentException on unknown arguments or a missing config file
     */
    static Config loadConfig(String[] args) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if ("--config".equals(args[i]) && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else if (args[i].startsWith("--config=")) {
                file = Path.of(args[i].substring("--config=".length()));
            } else {
                throw new IllegalArgumentException("argument: '" + args[i] + "' (expected: --config FILE)");
            }
        }
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException("--config: " + file + " (expected: a readable YAML file)");
        }
        List<Supplier<? extends ConfigSource>> sources = new ArrayList<>();
        sources.add(ConfigSources.environmentVariables());
        sources.add(ConfigSources.systemProperties());
        if (file != null) {
            sources.add(ConfigSources.file(file));
        }
        sources.add(ConfigSources.classpath("gateway-defaults.yaml"));
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(sources)
                .build();
    }
}
