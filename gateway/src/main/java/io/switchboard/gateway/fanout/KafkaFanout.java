package io.switchboard.gateway.fanout;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.IntStream;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.api.trace.Span;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.observe.GatewaySpans;
import io.switchboard.proto.Messages;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.roomlog.LocalRoomFeed;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.roomlog.RoomRecords;
import io.switchboard.service.KafkaClientSettings;
import io.switchboard.service.LoopThreads;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Fans room messages out from Kafka to local subscribers. One consumer per gateway on one dedicated, named
 * platform thread (a {@link KafkaConsumer} is single-threaded); it {@code assign()}s every partition of the
 * topic (no consumer group, no commits: every gateway reads everything), seeks to the end and resolves every
 * position before {@link #start} returns, so nothing published after the gateway reports ready is missed.
 * Each record becomes one {@link FanoutMessage}, built once and handed to the room's subscribers in partition
 * order; records of rooms without local subscribers are skipped unparsed. With tracing on, each record handed to
 * subscribers gets one {@code deliver} span, a child of the router's send named in the record's headers.
 *
 * <p>With a {@link LocalRoomFeed} (the single-process platform) the routers of the process also hand over each record
 * they stored, on their producer's thread, and the record is dispatched there at once when it is the next of its
 * partition (one held back when a record before it has not come yet). The consumer then reads in batches (fetches
 * wait up to {@code fedFetchWait} for 1 MiB) and dispatches only what was not handed over: records of routers
 * in other processes, or whose store's answer was lost. Either way each offset is dispatched once, in order.
 *
 * <p>As a {@link LiveHandOver} it tracks, per partition, the offset of the next record it will dispatch; a record's
 * dispatch and a {@link #subscribeAt} of a room in that partition exclude each other (one short lock per
 * partition, never held across I/O), so a resuming subscriber learns exactly where its live stream starts.
 *
 * <p>Thread-safe: {@link #start}, {@link #stop} and {@link #subscribeAt} may be called from any thread. Records are
 * dispatched by one thread at a time (the fan-out thread, or a router's producer thread handing a record over)
 * under the dispatch lock, which also guards the room rates and the held records.
 */
public final class KafkaFanout implements LiveHandOver {
    private static final Logger LOG = Logger.getLogger(KafkaFanout.class.getName());
    private static final Duration POLL = Duration.ofMillis(500);
    /** Records handed over ahead of a gap that are kept per partition; more wait for the consumer. */
    private static final int MAX_HELD = 1024;
    /** What a fed consumer's fetch waits for (or for its wait to pass): far more than it gets between fetches. */
    private static final int FED_FETCH_MIN_BYTES = 1 << 20;

    private final RoomLogTopic layout;
    private final SubscriptionRegistry registry;
    private final GatewayMetrics metrics;
    private final RoomRates roomRates;
    private final GatewaySpans spans;
    private final Properties consumerProps;
    private final Thread thread;
    private final CompletableFuture<Void> positioned = new CompletableFuture<>();
    private final LocalRoomFeed feed;
    private final ReentrantLock[] partitionLocks;
    // nextOffsets[p] @GuardedBy("partitionLocks[p]"), written also under dispatchLock: offset of the next record of
    // partition p to dispatch.
    private final long[] nextOffsets;
    private final ReentrantLock dispatchLock = new ReentrantLock();
    // @GuardedBy("dispatchLock"): per partition, records handed over ahead of its next offset, by offset.
    private final Map<Integer, TreeMap<Long, ConsumerRecord<String, byte[]>>> held = new HashMap<>();
    // Set by stop(); read by the fan-out thread between polls.
    private volatile boolean stopping;
    // Set once the consumer exists (by the fan-out thread); read by stop() to wake it up.
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;
    // Drill only (POST /admin/drill/fanout-pause): set by the admin endpoint, applied by the fan-out thread.
    private volatile boolean pauseRequested;

    /**
     * @param clientId            Kafka client id (shows up in broker logs and metrics)
     * @param passthrough         {@code kafka.consumer.*} properties; they override the defaults set here
     * @param feed                null, or the records the process's routers hand over, dispatched as they come
     * @param fedFetchWait        with a feed: how long the consumer's fetches wait to gather records (unless {@code
     *                            passthrough} sets {@code fetch.max.wait.ms} or {@code fetch.min.bytes})
     */
    public KafkaFanout(String bootstrapServers, String clientId, Map<String, String> passthrough, RoomLogTopic layout,
                       SubscriptionRegistry registry, GatewayMetrics metrics, RoomRates roomRates, GatewaySpans spans,
                       LocalRoomFeed feed, Duration fedFetchWait) {
        this.feed = feed;
        this.layout = layout;
        this.spans = spans;
        this.registry = registry;
        this.metrics = metrics;
        this.roomRates = roomRates;
        metrics.fanoutLagSource(this::partitionLag);
        this.partitionLocks = new ReentrantLock[layout.partitions()];
        for (int i = 0; i < partitionLocks.length; i++) {
            partitionLocks[i] = new ReentrantLock();
        }
        this.nextOffsets = new long[layout.partitions()];
        Properties p = KafkaClientSettings.followingConsumer(bootstrapServers, clientId, passthrough);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        if (feed != null) {
            p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Long.toString(fedFetchWait.toMillis()));
            p.putIfAbsent(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, Integer.toString(FED_FETCH_MIN_BYTES));
        }
        this.consumerProps = p;
        this.thread = Thread.ofPlatform().name("switchboard-fanout-" + clientId).daemon(true).unstarted(this::run);
        this.thread.setUncaughtExceptionHandler((t, e) -> LOG.log(Level.SEVERE, "Fan-out thread died", e));
    }

    /**
     * Starts the fan-out thread and waits until every partition's position is resolved.
     *
     * @throws IllegalStateException when positioning fails or takes longer than {@code timeout}
     * @throws InterruptedException  when interrupted while waiting
     */
    public void start(Duration timeout) throws InterruptedException {
        thread.start();
        try {
            positioned.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka consumer could not be positioned on " + layout + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka consumer not positioned on " + layout + " within " + timeout, e);
        }
    }

    /** True once every partition is positioned and while the fan-out thread runs. */
    public boolean isPositioned() {
        return positioned.isDone() && !positioned.isCompletedExceptionally() && running;
    }

    @Override
    public long subscribeAt(String room, Subscriber subscriber) {
        int partition = layout.partitionOf(room);
        ReentrantLock lock = partitionLocks[partition];
        lock.lock();
        try {
            registry.subscribe(room, subscriber);
            return nextOffsets[partition];
        } finally {
            lock.unlock();
        }
    }

    /**
     * Each fetched partition's lag (records behind the log end) as the consumer's own {@code records-lag} metric
     * last measured it. Called by metric scrapes on other threads: the consumer's metrics registry is thread-safe,
     * unlike the consumer itself, and nothing here touches the poll loop.
     */
    private Map<Integer, Double> partitionLag() {
        KafkaConsumer<String, byte[]> c = consumer;
        if (c == null || !running) {
            return Map.of();
        }
        Map<Integer, Double> lag = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : c.metrics().entrySet()) {
            MetricName name = e.getKey();
            String partition = name.tags().get("partition");
            if (name.name().equals("records-lag") && partition != null
                    && layout.name().equals(name.tags().get("topic"))
                    && e.getValue().metricValue() instanceof Double value && !value.isNaN()) {
                lag.put(Integer.parseInt(partition), value);
            }
        }
        return lag;
    }

    /**
     * A drill's silent fault: while paused the consumer fetches nothing (every partition is paused within one
     * poll), so local subscribers receive no room messages, readiness and the lag metric stay as they were, and
     * only the delivery probe notices. Resuming delivers what was missed, in order. Not for production traffic.
     */
    public void pause(boolean paused) {
        if (pauseRequested != paused) {
            pauseRequested = paused;
            LOG.warning(paused ? "Fan-out paused by a drill: local subscribers receive nothing until it is resumed"
                    : "Fan-out resumed after a drill");
        }
    }

    /** True while a drill keeps the fan-out paused. */
    public boolean isPaused() {
        return pauseRequested;
    }

    /** Stops the fan-out thread and closes the consumer; waits at most {@code timeout}. */
    public void stop(Duration timeout) {
        stopping = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (!LoopThreads.stop(thread, c == null ? () -> { } : c::wakeup, timeout)) {
            LOG.warning("The fan-out thread did not stop within " + timeout);
        }
    }

    private void run() {
        running = true;
        Runnable unlisten = () -> { };
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerProps)) {
            consumer = c;
            List<TopicPartition> partitions = IntStream.range(0, layout.partitions())
                    .mapToObj(p -> new TopicPartition(layout.name(), p)).toList();
            c.assign(partitions);
            c.seekToEnd(partitions);
            // seekToEnd is lazy: position() forces the end offsets to be looked up now, before we report ready.
            for (TopicPartition tp : partitions) {
                long pos = c.position(tp, Duration.ofSeconds(30));
                setNextOffset(tp.partition(), pos);
                LOG.fine(() -> "Fan-out positioned " + tp + " at " + pos);
            }
            if (feed != null) {
                unlisten = feed.listen(this::handedOver);
            }
            positioned.complete(null);
            boolean paused = false;
            while (!stopping) {
                if (paused != pauseRequested) {
                    paused = pauseRequested;
                    if (paused) {
                        c.pause(partitions);
                    } else {
                        c.resume(partitions);
                    }
                }
                ConsumerRecords<String, byte[]> records = c.poll(POLL);
                long now = System.nanoTime();
                dispatchLock.lock();
                try {
                    roomRates.roll(now);
                } finally {
                    dispatchLock.unlock();
                }
                for (ConsumerRecord<String, byte[]> rec : records) {
                    read(rec, now);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                positioned.completeExceptionally(e);
                LOG.log(Level.SEVERE, "Fan-out consumer woken up unexpectedly", e);
            }
        } catch (RuntimeException e) {
            positioned.completeExceptionally(e);
            if (!stopping) {
                LOG.log(Level.SEVERE, "Fan-out consumer failed; this gateway no longer delivers messages", e);
            }
        } finally {
            unlisten.run();
            running = false;
            if (!positioned.isDone()) {
                positioned.completeExceptionally(new IllegalStateException("fan-out stopped before positioning"));
            }
        }
    }

    private void setNextOffset(int partition, long offset) {
        partitionLocks[partition].lock();
        try {
            nextOffsets[partition] = offset;
        } finally {
            partitionLocks[partition].unlock();
        }
    }

    /** Fan-out thread: a record the consumer read; dispatched unless it was handed over already. */
    private void read(ConsumerRecord<String, byte[]> rec, long nowNanos) {
        int partition = rec.partition();
        dispatchLock.lock();
        try {
            // Greater only where the log skips offsets (control records, compaction): the consumer reads in order.
            if (rec.offset() >= nextOffsets[partition]) {
                dispatch(rec, nowNanos);
                dispatchHeld(partition, nowNanos);
            }
        } finally {
            dispatchLock.unlock();
        }
    }

    /** A router's producer thread: a record it stored; dispatched now when it is its partition's next. */
    private void handedOver(ConsumerRecord<String, byte[]> rec) {
        if (stopping || pauseRequested || !rec.topic().equals(layout.name())) {
            return; // the consumer reads it (or, stopping, nobody needs it)
        }
        long now = System.nanoTime();
        int partition = rec.partition();
        dispatchLock.lock();
        try {
            long next = nextOffsets[partition];
            if (rec.offset() == next) {
                metrics.fanoutHandedOver();
                dispatch(rec, now);
                dispatchHeld(partition, now);
            } else if (rec.offset() > next) {
                // Another router's record before it is not here yet (or never comes this way): keep this one.
                TreeMap<Long, ConsumerRecord<String, byte[]>> waiting =
                        held.computeIfAbsent(partition, p -> new TreeMap<>());
                if (waiting.size() < MAX_HELD) {
                    waiting.put(rec.offset(), rec);
                }
            }
        } finally {
            dispatchLock.unlock();
        }
    }

    /** Under the dispatch lock: dispatches the held records that are now next, forgets those already dispatched. */
    private void dispatchHeld(int partition, long nowNanos) {
        TreeMap<Long, ConsumerRecord<String, byte[]>> waiting = held.get(partition);
        while (waiting != null && !waiting.isEmpty()) {
            long next = nextOffsets[partition];
            Map.Entry<Long, ConsumerRecord<String, byte[]>> first = waiting.firstEntry();
            if (first.getKey() > next) {
                return;
            }
            waiting.pollFirstEntry();
            if (first.getKey() == next) {
                metrics.fanoutHandedOver();
                dispatch(first.getValue(), nowNanos);
            }
        }
    }

    /** Under the dispatch lock. */
    private void dispatch(ConsumerRecord<String, byte[]> rec, long nowNanos) {
        if (rec.key() != null) {
            roomRates.record(rec.key(), nowNanos);
        }
        // Under the partition lock so a concurrent subscribeAt sees either "before this record" or "after it".
        ReentrantLock lock = partitionLocks[rec.partition()];
        lock.lock();
        try {
            nextOffsets[rec.partition()] = rec.offset() + 1;
            dispatchLocked(rec);
        } finally {
            lock.unlock();
        }
    }

    private void dispatchLocked(ConsumerRecord<String, byte[]> rec) {
        String room = rec.key();
        if (room == null || rec.value() == null) {
            metrics.fanoutRecord("invalid");
            return;
        }
        Set<Subscriber> subscribers = registry.subscribers(room);
        if (subscribers.isEmpty()) {
            metrics.fanoutRecord("no_subscribers");
            return;
        }
        Envelope env;
        try {
            env = RoomRecords.envelope(rec.value());
        } catch (InvalidProtocolBufferException e) {
            metrics.fanoutRecord("invalid");
            LOG.log(Level.WARNING, "Skipping record " + rec.topic() + "-" + rec.partition() + "@" + rec.offset()
                    + ": not an Envelope", e);
            return;
        }
        Message message = Messages.of(room, env, rec.offset(), layout.epoch(rec.partition()),
                Messages.millis(rec.timestamp()));
        FanoutMessage fm = new FanoutMessage(room, ServerFrame.newBuilder().setMessage(message).build());
        Span span = spans.startDelivery(rec);
        int delivered = 0;
        for (Subscriber s : subscribers) {
            try {
                s.deliver(fm);
                delivered++;
            } catch (RuntimeException e) {
                // One broken subscriber must not stop delivery to the others.
                LOG.log(Level.WARNING, "Delivery to a subscriber of " + room + " failed (trace_id " + env.getTraceId()
                        + ")", e);
            }
        }
        spans.endDelivery(span, delivered);
        metrics.fanoutRecord("delivered");
        metrics.fanoutDeliveries(delivered);
    }
}
