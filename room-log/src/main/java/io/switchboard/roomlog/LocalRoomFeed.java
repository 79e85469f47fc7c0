package io.switchboard.roomlog;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.record.TimestampType;

/**
 * Room records that a router of this process has stored, handed at once to the gateways of the same process (the
 * single-process platform): the record as a consumer would read it, without the broker's fetch round trip per
 * record and per gateway. A gateway still reads the whole log with its own consumer, and a record reaches its
 * subscribers once, by whichever way comes first at its offset; what no router of the process wrote (or a store
 * whose answer was lost) arrives through the consumer alone.
 *
 * <p>Thread-safe. {@link #stored} runs every listener on the calling thread (the producer's I/O thread, in the
 * order the log answered: each partition's records in offset order per producer); listeners must not block.
 */
public final class LocalRoomFeed {
    private static final Logger LOG = Logger.getLogger(LocalRoomFeed.class.getName());

    /** Receives each record a router of the process stored. Runs on the router's producer thread: never block. */
    @FunctionalInterface
    public interface Listener {
        void stored(ConsumerRecord<String, byte[]> record);
    }

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Adds {@code listener}; the returned action removes it. */
    public Runnable listen(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Router side: {@code record} of {@code room} was stored where {@code metadata} says; hands it to every listener
     * as a consumer would read it (value, headers, offset and stored timestamp). A failing listener is logged and
     * the others still get the record.
     */
    public void stored(String room, ProducerRecord<byte[], byte[]> record, RecordMetadata metadata) {
        if (listeners.isEmpty()) {
            return;
        }
        ConsumerRecord<String, byte[]> read = new ConsumerRecord<>(metadata.topic(), metadata.partition(),
                metadata.offset(), metadata.timestamp(), TimestampType.CREATE_TIME, metadata.serializedKeySize(),
                metadata.serializedValueSize(), room, record.value(), record.headers(), Optional.empty());
        for (Listener listener : listeners) {
            try {
                listener.stored(read);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "A local feed listener failed on " + metadata + "; its consumer catches up", e);
            }
        }
    }
}
