package io.switchboard.history.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.switchboard.history.store.MessageStore;
import io.switchboard.history.store.PartitionProgress;
import io.switchboard.history.store.StoredMessage;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.roomlog.RoomRecords;
import io.switchboard.service.LoopThreads;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

/**
 * Copies the room log into a {@link MessageStore} on one named thread. Every poll becomes one atomic, synced
 * store batch holding the messages and each partition's next offset; on start the consumer seeks to those
 * stored offsets (or the log start for partitions never ingested), so a crash between the store write and the
 * Kafka commit neither loses nor duplicates a message. Offsets are also committed to Kafka (asynchronously,
 * after the batch is durable) only so that consumer lag can be monitored.
 *
 * <p>Partitions are assigned, not subscribed: every history instance keeps a full copy of the log.
 * Thread-safe: the consumer is confined to the ingest thread; the accessors read concurrent state.
 */
public final class KafkaIngester implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KafkaIngester.class.getName());
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private static final long COMMIT_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

    private final RoomLogTopic topic;
    private final MessageStore store;
    private final IngestSignal signal;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final LongAdder ingested = new LongAdder();
    private final Map<Integer, Long> lag = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile boolean positioned;
    /**
     * Completes once the store holds every partition up to the log end offsets seen when the consumer was first
     * positioned: from then on the replica answers reads as fully as its peers (until then it is not ready).
     */
    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    // Ingest thread only: the end offsets to reach before caughtUp completes (null once it has).
    private Map<TopicPartition, Long> catchUpTarget;
    // Ingest thread only: offsets stored but not yet committed to the group, and when it last committed.
    private final Map<TopicPartition, OffsetAndMetadata> pendingCommits = new HashMap<>();
    private long lastCommit = System.nanoTime();

    /**
     * @param consumerProperties at least {@code bootstrap.servers} and {@code group.id}; deserializers and
     *                           auto-commit are set here
     */
    public KafkaIngester(Properties consumerProperties, RoomLogTopic topic, MessageStore store, IngestSignal signal,
                         String threadName) {
        this.topic = topic;
        this.store = store;
        this.signal = signal;
        Properties props = new Properties();
        props.putAll(consumerProperties);
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name(threadName).unstarted(this::run);
        thread.setUncaughtExceptionHandler((t, e) ->
                LOG.log(Level.ERROR, "uncaught exception in thread " + t.getName(), e));
    }

    /** Starts the ingest thread. */
    public void start() {
        thread.start();
    }

    /** Whether the consumer knows its position in every partition: ingestion is under way. */
    public boolean positioned() {
        return positioned;
    }

    /**
     * Completes (on the ingest thread) once ingestion reached the log end offsets found at startup; never fails.
     * A restarted or new replica is behind its peers until then.
     */
    public CompletableFuture<Void> caughtUp() {
        return caughtUp;
    }

    /** Records ingested since start. */
    public long ingested() {
        return ingested.sum();
    }

    /** The last sampled lag (log end offset minus next offset) per partition. */
    public Map<Integer, Long> lag() {
        return Collections.unmodifiableMap(lag);
    }

    /** Stops the ingest thread after its current batch, waits up to {@code timeout} and closes the consumer. */
    public void close(Duration timeout) {
        running = false;
        if (!LoopThreads.stop(thread, consumer::wakeup, timeout)) {
            LOG.log(Level.WARNING, "ingest thread " + thread.getName() + " did not stop within " + timeout);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    private void run() {
        try {
            List<TopicPartition> partitions = IntStream.range(0, topic.partitions())
                    .mapToObj(p -> new TopicPartition(topic.name(), p)).toList();
            consumer.assign(partitions);
            while (running) {
                try {
                    seekToStored(partitions);
                    if (!caughtUp.isDone() && catchUpTarget == null) {
                        catchUpTarget = new HashMap<>(consumer.endOffsets(partitions));
                    }
                    positioned = true;
                    pollLoop(partitions);
                } catch (WakeupException e) {
                    if (running) {
                        throw e;
                    }
                } catch (RuntimeException e) {
                    if (!running) {
                        break;
                    }
                    // Kafka or the store failed: resume from what the store holds after a pause.
                    LOG.log(Level.ERROR, "ingest of " + topic.name() + " failed; retrying in " + RETRY_PAUSE, e);
                    Thread.sleep(RETRY_PAUSE);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing the history consumer failed", e);
            }
            LOG.log(Level.INFO, "ingest of " + topic.name() + " stopped after " + ingested.sum() + " records");
        }
    }

    private void seekToStored(List<TopicPartition> partitions) {
        Map<Integer, PartitionProgress> progress = store.progress();
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            PartitionProgress p = progress.get(tp.partition());
            if (p == null) {
                fresh.add(tp);
            } else {
                consumer.seek(tp, p.nextOffset());
            }
        }
        consumer.seekToBeginning(fresh);
        partitions.forEach(consumer::position); // resolves lazy seeks now, so readiness means positioned
    }

    private void pollLoop(List<TopicPartition> partitions) {
        while (running) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
            List<StoredMessage> batch = new ArrayList<>(records.count());
            for (ConsumerRecord<byte[], byte[]> record : records) {
                toMessage(record).ifPresent(batch::add);
            }
            Map<Integer, PartitionProgress> stored = store.progress();
            Map<Integer, Long> next = new HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            for (TopicPartition tp : partitions) {
                long position = consumer.position(tp);
                PartitionProgress p = stored.get(tp.partition());
                if (p == null || position > p.nextOffset()) {
                    next.put(tp.partition(), position);
                    commits.put(tp, new OffsetAndMetadata(position));
                }
                consumer.currentLag(tp).ifPresent(l -> lag.put(tp.partition(), l));
            }
            if (next.isEmpty() && batch.isEmpty()) {
                checkCaughtUp(partitions);
                continue;
            }
            store.append(batch, next);
            ingested.add(batch.size());
            signal.advanced();
            checkCaughtUp(partitions);
            pendingCommits.putAll(commits);
            long now = System.nanoTime();
            if (!pendingCommits.isEmpty() && now - lastCommit >= COMMIT_INTERVAL_NANOS) {
                // For monitoring only (the store holds the positions): at most once a second, not per poll.
                lastCommit = now;
                Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>(pendingCommits);
                pendingCommits.clear();
                consumer.commitAsync(toCommit, (offsets, e) -> {
                    if (e != null) {
                        LOG.log(Level.DEBUG, "offset commit failed (monitoring only; the store holds positions)", e);
                    }
                });
            }
        }
    }

    /** Completes {@link #caughtUp} once the positions (everything polled is stored by now) reached the target. */
    private void checkCaughtUp(List<TopicPartition> partitions) {
        if (catchUpTarget == null) {
            return;
        }
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < catchUpTarget.getOrDefault(tp, 0L)) {
                return;
            }
        }
        catchUpTarget = null;
        LOG.log(Level.INFO, "ingest of " + topic.name() + " caught up with the log end offsets found at startup");
        caughtUp.complete(null);
    }

    private java.util.Optional<StoredMessage> toMessage(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null || record.value() == null) {
            LOG.log(Level.WARNING, "skipping record " + record.partition() + "@" + record.offset()
                    + ": no room key or no value");
            return java.util.Optional.empty();
        }
        String room = RoomRecords.room(record.key());
        try {
            Envelope envelope = RoomRecords.storedEnvelope(room, record.value(), topic.epoch(record.partition()),
                    record.offset(), record.timestamp());
            return java.util.Optional.of(new StoredMessage(room, record.partition(), record.offset(),
                    record.timestamp(), envelope));
        } catch (InvalidProtocolBufferException e) {
            LOG.log(Level.WARNING, "skipping record " + record.partition() + "@" + record.offset()
                    + " of room " + room + ": not an Envelope", e);
            return java.util.Optional.empty();
        }
    }
}
