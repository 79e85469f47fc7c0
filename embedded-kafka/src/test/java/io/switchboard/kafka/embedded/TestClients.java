package io.switchboard.kafka.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Small producer/consumer helpers for the tests; every client is closed with a timeout. */
final class TestClients {

    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private TestClients() {
    }

    /** An idempotent acks=all producer. */
    static KafkaProducer<String, String> producer(String bootstrapServers) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000),
                new StringSerializer(), new StringSerializer());
    }

    /** Sends each value with the given key and waits for every acknowledgement. */
    static List<RecordMetadata> send(String bootstrapServers, String topic, String key, List<String> values)
            throws Exception {
        KafkaProducer<String, String> producer = producer(bootstrapServers);
        try {
            List<RecordMetadata> acks = new ArrayList<>();
            for (String value : values) {
                acks.add(producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS));
            }
            return acks;
        } finally {
            producer.close(CLOSE_TIMEOUT);
        }
    }

    /** Reads every partition of {@code topic} from the beginning (no group) until {@code expected} values arrived. */
    static List<String> readFromBeginning(String bootstrapServers, String topic, int expected, Duration timeout) {
        return read(bootstrapServers, Map.entry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), consumer -> {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }, expected, timeout);
    }

    /** Reads {@code topic} as a member of a fresh consumer group until {@code expected} values arrived. */
    static List<String> readAsGroup(String bootstrapServers, String topic, String groupId, int expected,
            Duration timeout) {
        return read(bootstrapServers, Map.entry(ConsumerConfig.GROUP_ID_CONFIG, groupId),
                consumer -> consumer.subscribe(List.of(topic)), expected, timeout);
    }

    /**
     * Reads from the earliest offset with a consumer that has {@code setting} as well, once {@code start} has
     * assigned or subscribed it, until {@code expected} values arrived; closes it.
     */
    private static List<String> read(String bootstrapServers, Map.Entry<String, Object> setting,
            Consumer<KafkaConsumer<String, String>> start, int expected, Duration timeout) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                setting.getKey(), setting.getValue(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer());
        try {
            start.accept(consumer);
            return poll(consumer, expected, timeout);
        } finally {
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        }
    }

    private static List<String> poll(KafkaConsumer<String, String> consumer, int expected, Duration timeout) {
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (values.size() < expected && System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(record.value());
            }
        }
        return values;
    }
}
