package io.switchboard.router.kafka;

import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.roomlog.RoomRecords;
import io.switchboard.router.EnvelopeLog;
import io.switchboard.service.RetryWaits;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * Follows the room log (every partition, whoever wrote to it) from {@code window} ago and reports each record's
 * idempotency key ({@link RoomRecords#USER_HEADER}, {@link RoomRecords#ID_HEADER}) with where it is
 * stored, so that a router's dedup memory also holds what other routers stored: a retry that reaches a new owner
 * after a router died, a breaker opened or the router set changed, or a public-API publish retried through
 * another router, is recognised instead of stored again. Records without the headers (written before them) are
 * skipped.
 *
 * <p>{@link #whenCaughtUp} tells a publish that may repeat one stored elsewhere when everything the log had
 * acknowledged before it arrived is indexed: a poll that started after that moment must have reached the end of
 * the room's partition.
 *
 * <p>One named platform thread owns the consumer (no group, every partition assigned, never commits). Thread-safe:
 * {@link #whenCaughtUp}, {@link #close} and the accessors may be called from any thread.
 */
public final class RoomLogIndexer {
    /** What the index reports, on its own thread. */
    @FunctionalInterface
    public interface Sink {
        void stored(String userId, String id, String room, EnvelopeLog.Stored stored);
    }

    private record Waiter(int partition, long sinceNanos, CompletableFuture<Boolean> done) {
    }

    private static final System.Logger LOG = System.getLogger(RoomLogIndexer.class.getName());
    /** How long an idle poll waits: the longest a caught-up check waits when nothing is written. */
    static final Duration POLL_WAIT = Duration.ofMillis(100);
    /**
     * The bytes the broker waits for, up to the fetch wait, before it answers a fetch when a fetch wait is set: the
     * index is not on the delivery path (only a publish that takes over another router's lane waits for it), so it
     * may read in batches instead of one fetch per record (Round 8 in docs/performance.md).
     */
    static final int FETCH_MIN_BYTES = 64 * 1024;

    private final RoomLogTopic topic;
    private final Duration window;
    private final Sink sink;
    private final Clock clock;
    private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final Object progress = new Object();
    /** @GuardedBy("progress"): per partition, the start (System.nanoTime) of the latest poll that ended caught up */
    private final long[] caughtUpSince;
    /** @GuardedBy("progress"): per partition, whether any poll ended caught up ({@code caughtUpSince} means nothing before) */
    private final boolean[] everCaughtUp;
    // @GuardedBy("progress")
    private boolean running;
    /** @GuardedBy("progress"): callers of {@link #whenCaughtUp} not answered yet (timed-out ones until the next poll) */
    private final List<Waiter> waiters = new ArrayList<>();
    private volatile long indexed;

    private RoomLogIndexer(Properties consumerProperties, RoomLogTopic topic, Duration window, Duration fetchWait,
                           Sink sink, Clock clock, String threadName) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.window = Objects.requireNonNull(window, "window");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.caughtUpSince = new long[topic.partitions()];
        this.everCaughtUp = new boolean[topic.partitions()];
        Properties fetch = new Properties();
        if (fetchWait.isZero()) {
            fetch.put("fetch.max.wait.ms", Long.toString(POLL_WAIT.toMillis()));
        } else {
            fetch.put("fetch.max.wait.ms", Long.toString(fetchWait.toMillis()));
            fetch.put("fetch.min.bytes", Integer.toString(FETCH_MIN_BYTES));
        }
        this.consumer = GroupFreeFollower.consumer(consumerProperties, fetch);
        this.thread = GroupFreeFollower.thread(threadName, this::run);
    }

    /**
     * An index of {@code topic} over the last {@code window}, reporting to {@code sink}. Not started.
     *
     * @param fetchWait zero: the broker answers a fetch as soon as a record is there; else how long it may wait for
     *                  {@value #FETCH_MIN_BYTES} bytes (at most {@link #POLL_WAIT})
     */
    public static RoomLogIndexer create(Properties consumerProperties, RoomLogTopic topic, Duration window,
                                        Duration fetchWait, Sink sink, String threadName) {
        return new RoomLogIndexer(consumerProperties, topic, window, fetchWait, sink, Clock.systemUTC(), threadName);
    }

    /** Starts the thread; returns at once. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("room log index of " + topic.name() + " already started");
        }
        thread.start();
    }

    /**
     * Completes with true once a poll that started after {@code sinceNanos} ({@code System.nanoTime()}) read {@code
     * room}'s partition to its end, or with false after {@code max} or when the index stops. Never blocks: the future
     * completes on the index's thread (or the timeout's), so callers continue on their own executor.
     */
    public CompletableFuture<Boolean> whenCaughtUp(String room, long sinceNanos, Duration max) {
        return whenPartitionCaughtUp(topic.partitionOf(room), sinceNanos, max);
    }

    /**
     * As {@link #whenCaughtUp}, for every partition: true once everything the log acknowledged before {@code
     * sinceNanos} is indexed (at start-up, the whole window), false after {@code max} or when the index stops.
     */
    public CompletableFuture<Boolean> whenAllCaughtUp(long sinceNanos, Duration max) {
        List<CompletableFuture<Boolean>> partitions = IntStream.range(0, topic.partitions())
                .mapToObj(p -> whenPartitionCaughtUp(p, sinceNanos, max)).toList();
        return CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new))
                .thenApply(v -> partitions.stream().allMatch(CompletableFuture::join));
    }

    private CompletableFuture<Boolean> whenPartitionCaughtUp(int partition, long sinceNanos, Duration max) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        synchronized (progress) {
            if (running && caughtUpLocked(partition, sinceNanos)) {
                return CompletableFuture.completedFuture(true);
            }
            if (stopping.getCount() == 0) {
                return CompletableFuture.completedFuture(false);
            }
            waiters.add(new Waiter(partition, sinceNanos, done));
        }
        return done.completeOnTimeout(false, max.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Records indexed so far (metrics, tests). */
    public long indexed() {
        return indexed;
    }

    /** Stops the thread and closes the consumer, waiting up to {@code timeout}. Idempotent. */
    public void close(Duration timeout) {
        stopping.countDown();
        if (!started.get()) {
            answerAll(false);
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            return;
        }
        GroupFreeFollower.stop(consumer, thread, timeout, "room log index of " + topic.name());
    }

    private void run() {
        RetryWaits backoff = newBackoff();
        boolean failing = false;
        try {
            List<TopicPartition> partitions = IntStream.range(0, topic.partitions())
                    .mapToObj(p -> new TopicPartition(topic.name(), p)).toList();
            consumer.assign(partitions);
            while (!seekToWindow(partitions, backoff)) {
                if (stopping.await(backoff.current().toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                backoff.advance();
            }
            backoff = newBackoff();
            LOG.log(Level.INFO, "indexing " + topic.name() + " from " + window + " ago for deduplication");
            long previousPollStart = System.nanoTime();
            while (stopping.getCount() > 0) {
                long pollStart = System.nanoTime();
                try {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL_WAIT)) {
                        index(record);
                    }
                } catch (KafkaException e) {
                    if (e instanceof WakeupException || e instanceof InterruptException) {
                        throw e;
                    }
                    // A broker restart or a leader change: keep following; dedup meanwhile knows what it knew.
                    LOG.log(Level.WARNING, "room log index of " + topic.name() + ": poll failed; retrying in "
                            + backoff.current(), e);
                    if (stopping.await(backoff.current().toMillis(), TimeUnit.MILLISECONDS)) {
                        break;
                    }
                    backoff.advance();
                    failing = true;
                    continue;
                }
                if (failing) {
                    backoff = newBackoff();
                    failing = false;
                }
                // The end this poll saw may come from a fetch sent during the poll before (the consumer fetches
                // ahead), so it vouches only for what was acknowledged before that poll started.
                caughtUp(partitions, previousPollStart);
                previousPollStart = pollStart;
            }
        } catch (WakeupException | InterruptException e) {
            if (stopping.getCount() > 0) {
                LOG.log(Level.ERROR, "room log index of " + topic.name() + " stopped unexpectedly", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (KafkaException e) {
            LOG.log(Level.ERROR, "room log index of " + topic.name() + " failed; dedup now remembers only this"
                    + " router's own publishes", e);
        } finally {
            synchronized (progress) {
                running = false;
            }
            answerAll(false);
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
        }
    }

    private static RetryWaits newBackoff() {
        return new RetryWaits(Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /**
     * Each partition from the first record of the window (its end when the window holds none). False when the
     * broker did not answer (retried after {@code backoff}).
     */
    private boolean seekToWindow(List<TopicPartition> partitions, RetryWaits backoff) {
        long from = clock.instant().minus(window).toEpochMilli();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, from));
        Map<TopicPartition, OffsetAndTimestamp> offsets;
        try {
            offsets = consumer.offsetsForTimes(query);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.log(Level.WARNING, "room log index of " + topic.name() + ": no offsets yet; retrying in "
                    + backoff.current(), e);
            return false;
        }
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp at = offsets.get(tp);
            if (at != null) {
                consumer.seek(tp, at.offset());
            } else {
                consumer.seekToEnd(List.of(tp));
            }
        }
        return true;
    }

    /** After a poll: the partitions read to their end count as caught up as of {@code since}. */
    private void caughtUp(List<TopicPartition> partitions, long since) {
        List<CompletableFuture<Boolean>> ready = new ArrayList<>();
        synchronized (progress) {
            running = true;
            for (TopicPartition tp : partitions) {
                OptionalLong lag = consumer.currentLag(tp);
                if (lag.isPresent() && lag.getAsLong() == 0) {
                    caughtUpSince[tp.partition()] = since;
                    everCaughtUp[tp.partition()] = true;
                }
            }
            waiters.removeIf(w -> {
                if (caughtUpLocked(w.partition(), w.sinceNanos())) {
                    ready.add(w.done());
                    return true;
                }
                return w.done().isDone(); // timed out
            });
        }
        ready.forEach(done -> done.complete(true));
    }

    // @GuardedBy("progress")
    private boolean caughtUpLocked(int partition, long sinceNanos) {
        return everCaughtUp[partition] && caughtUpSince[partition] - sinceNanos >= 0;
    }

    /** Answers every waiting caller with {@code caughtUp} (the index stopped). */
    private void answerAll(boolean caughtUp) {
        List<Waiter> all;
        synchronized (progress) {
            all = List.copyOf(waiters);
            waiters.clear();
        }
        all.forEach(w -> w.done().complete(caughtUp));
    }

    private void index(ConsumerRecord<byte[], byte[]> record) {
        String user = RoomRecords.header(record.headers(), RoomRecords.USER_HEADER);
        String id = RoomRecords.header(record.headers(), RoomRecords.ID_HEADER);
        if (user == null || id == null || record.key() == null) {
            return;
        }
        sink.stored(user, id, RoomRecords.room(record.key()), new EnvelopeLog.Stored(topic.epoch(record.partition()),
                record.offset(), Instant.ofEpochMilli(record.timestamp())));
        indexed++;
    }
}
