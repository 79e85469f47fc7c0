package io.switchboard.router;

import io.switchboard.service.ShutdownLogManager;
import io.helidon.logging.common.LogConfig;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.LogManager;

/**
 * {@code java -jar switchboard-router.jar [--config FILE]}: loads the configuration (environment variables,
 * system properties, FILE, then the classpath defaults), starts one router and stops it gracefully on
 * SIGTERM. Exits with 2 on a configuration error and 1 when the router cannot start.
 */
public final class RouterMain {
    static {
        // Before anything logs: the JDK reads this property once, when logging initializes.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
        }
    }

    private static final System.Logger LOG = System.getLogger(RouterMain.class.getName());
    private static final String USAGE = "usage: java -jar switchboard-router.jar [--config FILE]";

    private RouterMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LogConfig.configureRuntime();
        ShutdownLogManager logManager = LogManager.getLogManager() instanceof ShutdownLogManager m ? m : null;
        RouterConfig config;
        try {
            Optional<Optional<Path>> file = parseArgs(args);
            if (file.isEmpty()) {
                System.out.println(USAGE);
                return;
            }
            config = RouterConfig.load(file.get());
        } catch (IllegalArgumentException e) {
            System.err.println("router: configuration error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }

        PrometheusRegistry registry = new PrometheusRegistry();
        // JVM metrics belong to the process, not to one router: registered here, not in RouterServer.
        JvmMetrics.builder().register(registry);
        RouterServer server = RouterServer.create(config, registry);
        try {
            server.start();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "router " + config.id() + " failed to start: " + e.getMessage(), e);
            System.exit(1);
            return;
        }
        if (logManager != null) {
            logManager.holdResets();
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("router-shutdown").unstarted(() -> {
            try {
                server.close();
            } finally {
                if (logManager != null) {
                    logManager.releaseAndReset();
                }
            }
        }));
        int metricsPort = server.metricsPort();
        LOG.log(Level.INFO, "router " + config.id() + " listening on grpc :" + server.port() + ", metrics "
                + (metricsPort < 0 ? "disabled" : ":" + metricsPort));
        server.awaitTermination();
    }

    /**
     * The config file from the command line: empty when help was asked for, an empty path when none given.
     *
     * @throws IllegalArgumentException on an unknown or incomplete argument
     */
    static Optional<Optional<Path>> parseArgs(String[] args) {
        Optional<Path> file = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                return Optional.empty();
            } else if (arg.equals("--config") && i + 1 < args.length) {
                file = Optional.of(Path.of(args[++i]));
            } else if (arg.startsWith("--config=") && arg.length() > "--config=".length()) {
                file = Optional.of(Path.of(arg.substring("--config=".length())));
            } else {
                throw new IllegalArgumentException("argument: '" + arg + "' (expected: --config FILE)");
            }
        }
        return Optional.of(file);
    }
}
