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

/**
 * Writes presence records to the presence topic with an idempotent {@code acks=all} producer. A record that
 * Kafka does not take within the delivery timeout is lost (logged, counted, reported to its {@code Outcomes}):
 * presence is soft state, and the room's next record tells clients to read their member list again.
 * Thread-safe (KafkaProducer is).
 */
public final class KafkaPresenceSink implements PresenceSink {
    private static final System.Logger LOG = System.getLogger(KafkaPresenceSink.class.getName());

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Outcomes outcomes;
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param producerProperties at least {@code bootstrap.servers}; idempotence and {@code acks=all} are forced
     * @param outcomes           told (on the producer's I/O thread) of each record written or lost
     */
    public KafkaPresenceSink(Properties producerProperties, String topic, Outcomes outcomes) {
        Properties props = new Properties();
        props.putAll(producerProperties);
        props.put("enable.idempotence", "true");
        props.put("acks", "all");
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = Objects.requireNonNull(topic, "topic");
        this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    }

    @Override
    public void write(PresenceRecord record) {
        producer.send(new ProducerRecord<>(topic, PresenceSink.keyBytes(record), record.toByteArray()),
                (metadata, error) -> {
                    if (error == null) {
                        outcomes.written().accept(record);
                        return;
                    }
                    if (failures.getAndIncrement() % 1000 == 0) {
                        // Rate-limited: a Kafka outage fails every record of every interval.
                        LOG.log(Level.WARNING, "presence record " + PresenceSink.key(record) + " not written to "
                                + topic + " (" + failures.get() + " failures so far)", error);
                    }
                    outcomes.lost().accept(record);
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
