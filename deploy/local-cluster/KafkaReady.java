import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Waits until a Kafka cluster has the expected number of registered brokers and an active controller; used by
 * cluster.sh, run with the JDK's source launcher (picocli, like the Kafka clients, is in the embedded Kafka's
 * libs):
 *
 * <pre>java -cp 'embedded-kafka/target/libs/*' KafkaReady.java [--command-config FILE] BOOTSTRAP BROKERS TIMEOUT_SECONDS [TOPIC...]</pre>
 *
 * <p>{@code --command-config} names a properties file of client settings (TLS: {@code security.protocol=SSL},
 * {@code ssl.*}), as Kafka's own tools take it.
 *
 * <p>Exit 0 when ready (prints the broker ids), 1 on timeout (prints the last observation), 2 on bad arguments.
 * With topic names it then prints, for each, its partitions, replication factor, min.insync.replicas and how
 * many partitions have a full ISR (the smoke test shows them), failing if a topic does not exist.
 * A broker whose port is open is not yet usable for a replication factor of 3: this is why a TCP check is not
 * enough before the routers create their topics.
 */
@Command(name = "KafkaReady", description = "Waits until a Kafka cluster has BROKERS brokers and a controller.")
public final class KafkaReady implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BOOTSTRAP", description = "host:port[,host:port...]")
    private String bootstrap;
    @Parameters(index = "1", paramLabel = "BROKERS", description = "Registered brokers to wait for.")
    private int expected;
    @Parameters(index = "2", paramLabel = "TIMEOUT_SECONDS", description = "How long to wait at most.")
    private long timeoutSeconds;
    @Parameters(index = "3..*", paramLabel = "TOPIC", description = "Topics to describe once ready.")
    private List<String> topics = new ArrayList<>();
    @Option(names = "--command-config", paramLabel = "FILE", description = "Client properties (security.protocol, ssl.*).")
    private Path commandConfig;

    /** Exit code 2 and the usage on bad arguments (picocli), else what {@link #call()} returns. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new KafkaReady()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        String last = "no answer yet";
        Map<String, Object> config = new HashMap<>();
        if (commandConfig != null) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(commandConfig)) {
                file.load(reader);
            }
            file.forEach((key, value) -> config.put((String) key, value));
        }
        config.putAll(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000,
                AdminClientConfig.CLIENT_ID_CONFIG, "switchboard-cluster-ready"));
        try (Admin admin = Admin.create(config)) {
            while (System.nanoTime() < deadline) {
                try {
                    DescribeClusterResult cluster = admin.describeCluster();
                    var nodes = cluster.nodes().get(5, TimeUnit.SECONDS);
                    var controller = cluster.controller().get(5, TimeUnit.SECONDS);
                    last = nodes.size() + " broker(s) registered " + nodes.stream().map(n -> n.idString()).sorted()
                            .toList() + ", controller " + (controller == null ? "none" : controller.idString());
                    if (nodes.size() >= expected && controller != null && !controller.isEmpty()) {
                        System.out.println("kafka ready: " + last);
                        for (String topic : topics) {
                            describeTopic(admin, topic);
                        }
                        return 0;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e.toString();
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
        System.out.println("kafka not ready: " + last);
        return 1;
    }

    private static void describeTopic(Admin admin, String topic) throws InterruptedException {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(5, TimeUnit.SECONDS).get(topic);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            String minIsr = admin.describeConfigs(List.of(resource)).all().get(5, TimeUnit.SECONDS)
                    .get(resource).get("min.insync.replicas").value();
            var partitions = description.partitions();
            long fullIsr = partitions.stream().filter(p -> p.isr().size() == p.replicas().size()).count();
            System.out.println("topic " + topic + ": " + partitions.size() + " partitions, replication factor "
                    + partitions.getFirst().replicas().size() + ", min.insync.replicas " + minIsr + ", "
                    + fullIsr + "/" + partitions.size() + " partitions with a full ISR");
        } catch (ExecutionException | TimeoutException e) {
            System.out.println("topic " + topic + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
