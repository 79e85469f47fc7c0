package io.switchboard.presence.kafka;

import io.switchboard.proto.internal.v1.PresenceRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Writes presence records to the presence topic with an idempotent {@code acks=all} producer. A record that
 * Kafka does not take within the delivery timeout is lost (logged, counted): presence is soft state, and
 * clients page members with PresenceQuery when they need the full list. Thread-safe (KafkaProducer is).
 */
public final class KafkaPresenceSink implements PresenceSink {
    private static final System.Logger LOG = System.getLogger(KafkaPresenceSink.class.getName());

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Consumer<PresenceRecord> written;
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param producerProperties at least {@code bootstrap.servers}; idempotence and {@code acks=all} are forced
     * @param written            called (on the producer's I/O thread) for each record Kafka acknowledged
     */
    public KafkaPresenceSink(Properties producerProperties, String topic, Consumer<PresenceRecord> written) {
        Properties props = new Properties();
        props.putAll(producerProperties);
        props.put("enable.idempotence", "true");
        props.put("acks", "all");
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = Objects.requireNonNull(topic, "topic");
        this.written = Objects.requireNonNull(written, "written");
    }

    @Override
    public void write(PresenceRecord record) {
        producer.send(new ProducerRecord<>(topic, PresenceSink.keyBytes(record), record.toByteArray()),
                (metadata, error) -> {
                    if (error == null) {
                        written.accept(record);
                    } else if (failures.getAndIncrement() % 1000 == 0) {
                        // Rate-limited: a Kafka outage fails every record of every interval.
                        LOG.log(Level.WARNING, "presence record " + PresenceSink.key(record) + " not written to "
                                + topic + " (" + failures.get() + " failures so far)", error);
                    }
                });
    }

    /** Records Kafka refused or did not acknowledge in time. */
    @Override
    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        // Bounded: close() without a timeout can block forever when Kafka is gone.
        producer.close(Duration.ofSeconds(5));
    }
}
