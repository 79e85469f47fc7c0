package io.switchboard.router.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.service.RetryWaits;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Follows the presence topic from its end and reports the user of every {@code PresenceRecord.user} (a user
 * came online, went offline or changed status), so that the router drops its cached lookup of that user.
 *
 * <p>One named platform thread owns the Kafka consumer (no consumer group: it assigns itself every partition,
 * seeks to the end and never commits). Until the topic exists (the presence service creates it) it retries
 * with a bounded backoff. Malformed records are logged and skipped. Thread-safe: {@link #close(Duration)} and
 * {@link #isAssigned()} may be called from any thread.
 */
public final class PresenceRecordListener {
    private static final System.Logger LOG = System.getLogger(PresenceRecordListener.class.getName());
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);

    private final String topic;
    private final Consumer<String> invalidateUser;
    /** Touched only by {@link #thread}, except {@link org.apache.kafka.clients.consumer.KafkaConsumer#wakeup()}. */
    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile boolean assigned;

    private PresenceRecordListener(Properties consumerProperties, String topic, Consumer<String> invalidateUser,
                                   String threadName) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.invalidateUser = Objects.requireNonNull(invalidateUser, "invalidateUser");
        // Waiting for the presence service to create the topic (the consumer never creates it).
        this.consumer = GroupFreeFollower.consumer(consumerProperties, new Properties());
        this.thread = GroupFreeFollower.thread(threadName, this::run);
    }

    /**
     * A listener on {@code topic} that calls {@code invalidateUser} (on its own thread) with the user id of
     * every user record. Not started.
     */
    public static PresenceRecordListener create(Properties consumerProperties, String topic,
                                                Consumer<String> invalidateUser, String threadName) {
        return new PresenceRecordListener(consumerProperties, topic, invalidateUser, threadName);
    }

    /** Starts the listener thread; returns at once. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("presence listener on " + topic + " already started");
        }
        thread.start();
    }

    /** Whether the listener follows the topic (it exists, every partition is assigned and positioned at its end). */
    public boolean isAssigned() {
        return assigned;
    }

    /** Stops the thread and closes the consumer, waiting up to {@code timeout}. Idempotent. */
    public void close(Duration timeout) {
        stopping.countDown();
        if (!started.get()) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            return;
        }
        GroupFreeFollower.stop(consumer, thread, timeout, "presence listener on " + topic);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = awaitPartitions();
            if (partitions.isEmpty()) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // Resolve the end offsets now, so that "assigned" means "everything from here on is seen".
            partitions.forEach(consumer::position);
            assigned = true;
            LOG.log(Level.INFO, "following presence topic " + topic + " (" + partitions.size() + " partitions)");
            while (stopping.getCount() > 0) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_TIMEOUT)) {
                    handle(record);
                }
            }
        } catch (WakeupException | InterruptException e) {
            if (stopping.getCount() > 0) {
                LOG.log(Level.ERROR, "presence listener on " + topic + " stopped unexpectedly", e);
            }
        } catch (KafkaException e) {
            LOG.log(Level.ERROR, "presence listener on " + topic + " failed; cached presence now expires by "
                    + "time only", e);
        } finally {
            assigned = false;
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        }
    }

    /** The topic's partitions once it exists; empty when stopped first. */
    private List<TopicPartition> awaitPartitions() {
        RetryWaits backoff = new RetryWaits(FIRST_BACKOFF, MAX_BACKOFF);
        while (stopping.getCount() > 0) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, MAX_BACKOFF);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                LOG.log(Level.DEBUG, "no metadata for " + topic + " yet", e);
                infos = List.of();
            }
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            }
            LOG.log(Level.DEBUG, "presence topic " + topic + " does not exist yet; retrying in " + backoff.current());
            try {
                if (stopping.await(backoff.current().toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            backoff.advance();
        }
        return List.of();
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return;
        }
        PresenceRecord presence;
        try {
            presence = PresenceRecord.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            LOG.log(Level.WARNING, "skipping a malformed record at " + record.topic() + "-" + record.partition()
                    + "@" + record.offset(), e);
            return;
        }
        if (presence.hasUser()) {
            invalidateUser.accept(presence.getUser().getUserId());
        }
    }
}
