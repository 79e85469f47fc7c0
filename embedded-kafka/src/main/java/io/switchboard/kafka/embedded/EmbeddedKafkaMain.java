package io.switchboard.kafka.embedded;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs an {@link EmbeddedKafka} cluster until SIGTERM, for local runs and deploy scripts.
 *
 * <pre>
 * java -cp CLASSPATH io.switchboard.kafka.embedded.EmbeddedKafkaMain \
 *     [--nodes N] [--data-dir DIR] [--port P] [--controller-port C] \
 *     [--mode in-process|child-process] [--broker-property key=value]...
 * </pre>
 *
 * <p>Prints {@code KAFKA_BOOTSTRAP=<servers>} on stdout once every node is ready (scripts wait for that line); logs
 * go to stderr. Exit codes: 0 after a clean SIGTERM, 1 if the cluster failed to start, 2 for bad arguments.
 */
public final class EmbeddedKafkaMain {

    /** The line prefix scripts look for on stdout. */
    public static final String BOOTSTRAP_PREFIX = "KAFKA_BOOTSTRAP=";

    private EmbeddedKafkaMain() {
    }

    /** The parsed command line (picocli). Not thread-safe. */
    @Command(name = "EmbeddedKafkaMain", description = "Runs a real KRaft Kafka cluster on loopback until SIGTERM;"
            + " prints " + BOOTSTRAP_PREFIX + "<servers> once it is ready.")
    static final class Options {
        @Option(names = "--nodes", paramLabel = "N", defaultValue = "1",
                description = "Combined broker+controller nodes, 1..5 (default ${DEFAULT-VALUE}).")
        private int nodes;
        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Keep data in DIR across runs (default: a temporary directory, deleted on exit).")
        private Path dataDirectory;
        @Option(names = "--port", paramLabel = "P", defaultValue = "0",
                description = "Client port of node 1; node i listens on P+i-1 (default: free ports).")
        private int port;
        @Option(names = "--controller-port", paramLabel = "C", defaultValue = "0",
                description = "Controller port of node 1; node i on C+i-1 (default: free ports).")
        private int controllerPort;
        @Option(names = "--mode", paramLabel = "M", defaultValue = "in-process", converter = ModeConverter.class,
                description = "in-process (default) or child-process (one JVM per node).")
        private EmbeddedKafka.Mode mode;
        @Option(names = "--broker-property", paramLabel = "KEY=VALUE", mapFallbackValue = CommandLine.Option.NULL_VALUE,
                description = "server.properties override for every node (repeatable).")
        private Map<String, String> brokerProperties = new LinkedHashMap<>();
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        private boolean help;

        /** @throws IllegalArgumentException with picocli's message naming the bad argument */
        static Options parse(String... args) {
            Options options = new Options();
            try {
                new CommandLine(options).parseArgs(args);
            } catch (CommandLine.ParameterException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            options.brokerProperties.forEach((key, value) -> {
                if (value == null) {
                    throw new IllegalArgumentException("--broker-property: " + key + " (expected: key=value)");
                }
            });
            return options;
        }

        int nodes() {
            return nodes;
        }

        Path dataDirectory() {
            return dataDirectory;
        }

        int port() {
            return port;
        }

        int controllerPort() {
            return controllerPort;
        }

        EmbeddedKafka.Mode mode() {
            return mode;
        }

        Map<String, String> brokerProperties() {
            return Map.copyOf(brokerProperties);
        }

        /** A builder configured from these options (validation of values happens there). */
        EmbeddedKafka.Builder toBuilder() {
            EmbeddedKafka.Builder builder = EmbeddedKafka.builder()
                    .nodes(nodes)
                    .mode(mode)
                    .basePort(port)
                    .controllerBasePort(controllerPort);
            if (dataDirectory != null) {
                builder.dataDirectory(dataDirectory);
            }
            brokerProperties.forEach(builder::brokerProperty);
            return builder;
        }
    }

    /** {@code in-process} or {@code child-process}. */
    static final class ModeConverter implements CommandLine.ITypeConverter<EmbeddedKafka.Mode> {
        @Override
        public EmbeddedKafka.Mode convert(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "in-process" -> EmbeddedKafka.Mode.IN_PROCESS;
                case "child-process" -> EmbeddedKafka.Mode.CHILD_PROCESS;
                default -> throw new CommandLine.TypeConversionException(
                        "--mode: " + text + " (expected: in-process or child-process)");
            };
        }
    }

    static String usage() {
        return new CommandLine(new Options()).getUsageMessage().strip();
    }

    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafka kafka;
        try {
            Options options = Options.parse(args);
            if (options.help) {
                System.out.println(usage());
                return;
            }
            kafka = options.toBuilder().build();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("embedded-kafka-main-shutdown").unstarted(() -> {
            kafka.close();
            closed.countDown();
        }));
        try {
            kafka.start();
        } catch (RuntimeException e) {
            System.getLogger(EmbeddedKafkaMain.class.getName())
                    .log(System.Logger.Level.ERROR, "Kafka failed to start", e);
            System.exit(1);
            return;
        }
        System.out.println(BOOTSTRAP_PREFIX + kafka.bootstrapServers());
        System.out.flush();
        // Keeps the JVM alive in child-process mode, where this JVM runs no Kafka threads of its own.
        closed.await();
    }
}
