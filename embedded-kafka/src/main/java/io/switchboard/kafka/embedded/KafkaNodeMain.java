package io.switchboard.kafka.embedded;

import java.io.IOException;
import java.io.Reader;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs one already formatted Kafka node from a server.properties file; the per-node main of {@link
 * EmbeddedKafka.Mode#CHILD_PROCESS}.
 *
 * <pre>
 * java -cp CLASSPATH io.switchboard.kafka.embedded.KafkaNodeMain --config server.properties [--parent-pid PID]
 * </pre>
 *
 * <p>SIGTERM runs a controlled shutdown (JVM shutdown hook). With {@code --parent-pid} the node also shuts down when
 * that process ends, so a child never outlives a parent that was itself SIGKILLed. Prints
 * {@code KAFKA_NODE_STARTED node.id=N} to stdout once {@code KafkaRaftServer.startup()} returned.
 */
public final class KafkaNodeMain {

    private static final System.Logger LOG = System.getLogger(KafkaNodeMain.class.getName());

    private KafkaNodeMain() {
    }

    /** The command line (picocli). */
    @Command(name = "KafkaNodeMain", description = "Runs one formatted Kafka node until SIGTERM.")
    static final class Arguments {
        @Option(names = "--config", paramLabel = "FILE", required = true, description = "The node's server.properties.")
        Path config;
        @Option(names = "--parent-pid", paramLabel = "PID",
                description = "Shut down when this process ends (a child never outlives its parent).")
        Long parentPid;
    }

    public static void main(String[] args) {
        Arguments arguments = new Arguments();
        CommandLine cli = new CommandLine(arguments);
        try {
            cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            System.err.println(cli.getUsageMessage());
            System.exit(2);
            return;
        }
        Path config = arguments.config;
        OptionalLong parentPid =
                arguments.parentPid == null ? OptionalLong.empty() : OptionalLong.of(arguments.parentPid);
        KafkaLogLevels levels = KafkaLogLevels.apply();
        KafkaRaftServer server;
        Properties props;
        try {
            props = load(config);
            server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Kafka node failed to start from " + config, e);
            System.exit(1);
            return;
        }
        KafkaRaftServer started = server;
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("kafka-node-shutdown").unstarted(() -> {
            started.shutdown();
            started.awaitShutdown();
        }));
        parentPid.ifPresent(KafkaNodeMain::exitWithParent);
        System.out.println("KAFKA_NODE_STARTED node.id=" + props.getProperty("node.id"));
        System.out.flush();
        server.awaitShutdown();
        Reference.reachabilityFence(levels);
    }

    private static void exitWithParent(long pid) {
        ProcessHandle.of(pid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> {
                    LOG.log(System.Logger.Level.WARNING, "parent process {0} is gone; shutting down", pid);
                    System.exit(0);
                }),
                () -> {
                    LOG.log(System.Logger.Level.WARNING, "parent process {0} is already gone; shutting down", pid);
                    System.exit(0);
                });
    }

    private static Properties load(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        }
        return props;
    }

}
