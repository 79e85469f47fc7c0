package io.switchboard.kafka.embedded;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

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

    static final String USAGE = """
            usage: EmbeddedKafkaMain [--nodes N] [--data-dir DIR] [--port P] [--controller-port C]
                                     [--mode in-process|child-process] [--broker-property key=value]...
              --nodes N              combined broker+controller nodes, 1..5 (default 1)
              --data-dir DIR         keep data in DIR across runs (default: a temporary directory, deleted on exit)
              --port P               client port of node 1; node i listens on P+i-1 (default: free ports)
              --controller-port C    controller port of node 1; node i on C+i-1 (default: free ports)
              --mode M               in-process (default) or child-process (one JVM per node)
              --broker-property k=v  server.properties override for every node (repeatable)""";

    private EmbeddedKafkaMain() {
    }

    /**
     * Parsed command line.
     *
     * @param nodes number of nodes
     * @param dataDirectory persistent data directory, or null for a temporary one
     * @param port client port of node 1, 0 for free ports
     * @param controllerPort controller port of node 1, 0 for free ports
     * @param mode where nodes run
     * @param brokerProperties overrides for every node
     */
    record Options(int nodes, Path dataDirectory, int port, int controllerPort, EmbeddedKafka.Mode mode,
            Map<String, String> brokerProperties) {

        Options {
            brokerProperties = Map.copyOf(brokerProperties);
        }

        /** @throws IllegalArgumentException with a message naming the bad argument */
        static Options parse(String... args) {
            int nodes = 1;
            Path dataDirectory = null;
            int port = 0;
            int controllerPort = 0;
            EmbeddedKafka.Mode mode = EmbeddedKafka.Mode.IN_PROCESS;
            Map<String, String> brokerProperties = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                switch (option) {
                    case "--nodes" -> nodes = parseInt(option, value(args, ++i, option));
                    case "--data-dir" -> dataDirectory = Path.of(value(args, ++i, option));
                    case "--port" -> port = parseInt(option, value(args, ++i, option));
                    case "--controller-port" -> controllerPort = parseInt(option, value(args, ++i, option));
                    case "--mode" -> mode = parseMode(value(args, ++i, option));
                    case "--broker-property" -> {
                        String entry = value(args, ++i, option);
                        int eq = entry.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException(option + ": " + entry + " (expected: key=value)");
                        }
                        brokerProperties.put(entry.substring(0, eq), entry.substring(eq + 1));
                    }
                    default -> throw new IllegalArgumentException("unknown argument: " + option);
                }
            }
            return new Options(nodes, dataDirectory, port, controllerPort, mode, brokerProperties);
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

        private static String value(String[] args, int index, String option) {
            if (index >= args.length) {
                throw new IllegalArgumentException(option + ": missing value");
            }
            return args[index];
        }

        private static int parseInt(String option, String text) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": " + text + " (expected: an integer)", e);
            }
        }

        private static EmbeddedKafka.Mode parseMode(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "in-process" -> EmbeddedKafka.Mode.IN_PROCESS;
                case "child-process" -> EmbeddedKafka.Mode.CHILD_PROCESS;
                default -> throw new IllegalArgumentException(
                        "--mode: " + text + " (expected: in-process or child-process)");
            };
        }
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(USAGE);
            return;
        }
        EmbeddedKafka kafka;
        try {
            kafka = Options.parse(args).toBuilder().build();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
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
