package io.switchboard.service;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.service.telemetry.LogFormat;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.logging.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code main} of a tier process: {@code java -jar <jar> [--config FILE]} (parsed with picocli) loads the
 * configuration, starts one service, logs where it listens and stops it gracefully on SIGTERM. Exits with 2 on a bad
 * argument or configuration value and 1 when the service cannot start. Deliberately holds no static logger: a
 * service's main must be able to call {@link #installLogManager()} before anything initializes logging.
 */
public final class ServiceMain {
    /** What a tier process runs. */
    public interface Service extends AutoCloseable {
        /** Starts serving; throws when it cannot. */
        void start();

        /** The bound port of the service's protocol (gRPC for the backend tiers, WebSocket for the gateway). */
        int port();

        /** The bound metrics/health port, or -1 when disabled. */
        int metricsPort();

        /**
         * Where the started service listens, for the start-up line: by default
         * {@code grpc :<port>, metrics :<metricsPort>} ({@code metrics disabled} without a metrics port).
         */
        default String endpoints() {
            int metricsPort = metricsPort();
            return "grpc :" + port() + ", metrics " + (metricsPort < 0 ? "disabled" : ":" + metricsPort);
        }

        /** Blocks until the service has stopped. */
        void awaitTermination() throws InterruptedException;

        /** Stops gracefully. */
        @Override
        void close();
    }

    private ServiceMain() {
    }

    /**
     * Makes {@link ShutdownLogManager} the JUL log manager unless one was chosen; call from a static initializer
     * of the main class, before anything logs (the JDK reads the property once).
     */
    public static void installLogManager() {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
        }
    }

    /**
     * Runs one service to completion.
     *
     * @param name   the service's name in messages and thread names, e.g. {@code router}
     * @param jar    the jar's file name, for the usage line
     * @param from   builds the configuration from the layered sources ({@link ConfigFiles#load}); throws
     *               IllegalArgumentException when a value is invalid
     * @param id     the configured instance id, for log lines
     * @param create builds the (not started) service on a registry that already holds the JVM metrics
     */
    public static <C> void run(String name, String jar, String[] args, Function<Config, C> from,
                               Function<C, String> id, BiFunction<C, PrometheusRegistry, Service> create)
            throws InterruptedException {
        run(name, jar, args, from, id, config -> "text", create);
    }

    /**
     * As {@link #run(String, String, String[], Function, Function, BiFunction)}, with the log lines formatted as
     * {@code logFormat} reads from the configuration ({@code text} or {@code json}, see {@link LogFormat}) from the
     * moment it is loaded.
     */
    public static <C> void run(String name, String jar, String[] args, Function<Config, C> from,
                               Function<C, String> id, Function<C, String> logFormat,
                               BiFunction<C, PrometheusRegistry, Service> create) throws InterruptedException {
        LogConfig.configureRuntime();
        System.Logger log = System.getLogger(ServiceMain.class.getName());
        String usage = usage(jar);
        ShutdownLogManager logManager = LogManager.getLogManager() instanceof ShutdownLogManager m ? m : null;
        C config;
        HeapGovernor.Settings heap;
        try {
            Optional<Optional<Path>> file = parseArgs(args);
            if (file.isEmpty()) {
                System.out.println(usage);
                return;
            }
            config = from.apply(ConfigFiles.load(file.get()));
            LogFormat.apply(logFormat.apply(config));
            heap = HeapGovernor.Settings.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": configuration error: " + e.getMessage());
            System.err.println(usage);
            System.exit(2);
            return;
        }

        PrometheusRegistry registry = new PrometheusRegistry();
        // JVM metrics belong to the process, not to one service: registered here, not by the service.
        JvmMetrics.builder().register(registry);
        Service server = create.apply(config, registry);
        try {
            server.start();
        } catch (RuntimeException e) {
            log.log(Level.ERROR, name + " " + id.apply(config) + " failed to start: " + e.getMessage(), e);
            System.exit(1);
            return;
        }
        // From ready on: start-up (and a gateway's warm-up, which gives its heap back after) keeps the tight heap.
        HeapGovernor.startIfEnabled(heap);
        if (logManager != null) {
            logManager.holdResets();
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name(name + "-shutdown").unstarted(() -> {
            try {
                server.close();
            } finally {
                if (logManager != null) {
                    logManager.releaseAndReset();
                }
            }
        }));
        log.log(Level.INFO, name + " " + id.apply(config) + " listening on " + server.endpoints());
        server.awaitTermination();
    }

    /**
     * The config file from the command line: empty when help was asked for, an empty path when none given.
     *
     * @throws IllegalArgumentException on an unknown or incomplete argument, with picocli's message
     */
    public static Optional<Optional<Path>> parseArgs(String[] args) {
        Arguments arguments = new Arguments();
        CommandLine cli = new CommandLine(arguments);
        try {
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return cli.isUsageHelpRequested() ? Optional.empty() : Optional.of(Optional.ofNullable(arguments.config));
    }

    /** The usage text of a tier process started as {@code java -jar <jar>}. */
    static String usage(String jar) {
        return new CommandLine(new Arguments()).setCommandName("java -jar " + jar).getUsageMessage().strip();
    }

    /** The command line every tier process takes. */
    @Command(description = "Starts one Switchboard service; SIGTERM drains and stops it. Exit code 2: a bad argument"
            + " or configuration value; 1: the service could not start.")
    static final class Arguments {
        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration; environment variables"
                + " and system properties override it, the keys' defaults fill in the rest (docs/configuration.md).")
        Path config;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;
    }
}
