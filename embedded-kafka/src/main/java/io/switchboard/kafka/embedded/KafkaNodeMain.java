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

    public static void main(String[] args) {
        Path config = null;
        OptionalLong parentPid = OptionalLong.empty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> config = Path.of(value(args, ++i, "--config"));
                case "--parent-pid" -> parentPid = OptionalLong.of(parsePid(value(args, ++i, "--parent-pid")));
                default -> usage("unknown argument: " + args[i]);
            }
        }
        if (config == null) {
            usage("--config is required");
        }
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

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            usage(option + " needs a value");
        }
        return args[index];
    }

    private static long parsePid(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            usage("--parent-pid: " + text + " (expected: a process id)");
            return -1;
        }
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: KafkaNodeMain --config server.properties [--parent-pid PID]");
        System.exit(2);
    }
}
