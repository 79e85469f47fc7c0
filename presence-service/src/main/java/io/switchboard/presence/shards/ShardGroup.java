package io.switchboard.presence.shards;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * This instance's shards, decided by Kafka: a consumer in one group ({@code presence.shards.group}) subscribed to
 * the coordination topic, whose partitions are the shards. The group coordinator splits the partitions among the
 * live members and moves a member's partitions to the others when it leaves (at once) or stops heartbeating (after
 * {@code session.timeout.ms}); no hand-written leader election, leases or fencing. Nothing is ever written to the
 * topic: the consumer only keeps the membership alive by polling.
 *
 * <p>The cooperative sticky assignor keeps the shards a member has across rebalances, so losing or adding an
 * instance only moves the shards that must move. {@link Listener#taken} is told of every shard this instance gains
 * (on the group thread, after {@link #owns} already answers true for it), so that its new owner can announce it.
 * A partition lost without a revocation (this instance was cut off from the group) stops being owned at once.
 *
 * <p>Threads: one named platform thread ({@code presence-shard-group}) owns the consumer; {@link #owns} reads a
 * volatile immutable set. Started once, closed once; closing leaves the group, so the others take over at once.
 */
public final class ShardGroup implements Ownership, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ShardGroup.class.getName());
    private static final Duration POLL = Duration.ofMillis(100);

    /** Told of shards this instance gained. */
    @FunctionalInterface
    public interface Listener {
        /** {@code keys} answers true for a room or user id in one of the gained shards. */
        void taken(Predicate<String> keys);
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration joinDelay;
    private final Listener listener;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Shards shards;
    private volatile Set<Integer> owned = Set.of();

    /**
     * @param consumerProperties at least {@code bootstrap.servers}; group, session timeout and assignor are set here
     * @param group              the consumer group of all presence instances
     * @param sessionTimeout     how long a silent member keeps its shards
     * @param joinDelay          how long to wait before joining (the warm-up: an instance takes no shard before its
     *                           model is complete)
     */
    public ShardGroup(Properties consumerProperties, String topic, String group, Duration sessionTimeout,
                      Duration joinDelay, Listener listener) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.joinDelay = Objects.requireNonNull(joinDelay, "joinDelay");
        this.listener = Objects.requireNonNull(listener, "listener");
        Properties props = new Properties();
        props.putAll(consumerProperties);
        props.put("group.id", group);
        props.put("session.timeout.ms", Long.toString(sessionTimeout.toMillis()));
        props.put("heartbeat.interval.ms", Long.toString(Math.max(100, sessionTimeout.toMillis() / 3)));
        props.put("partition.assignment.strategy", CooperativeStickyAssignor.class.getName());
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "latest");
        props.putIfAbsent("client.id", "switchboard-" + group);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name("presence-shard-group").daemon(true).unstarted(this::run);
    }

    /** Starts the group thread: it joins after the join delay. Fails when called twice. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("Already started");
        }
        thread.start();
    }

    @Override
    public boolean owns(String key) {
        Shards s = shards;
        return s != null && owned.contains(s.of(key));
    }

    /** The shards owned now (ascending), for logs and metrics. */
    public Set<Integer> owned() {
        return new TreeSet<>(owned);
    }

    /** Leaves the group (its shards move to the others at once) and closes the consumer; waits at most 10 s. */
    @Override
    public void close() {
        closing.countDown();
        if (started.compareAndSet(false, true)) {
            consumer.close(CloseOptions.timeout(Duration.ZERO)); // never started: no thread owns the consumer
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            if (closing.await(joinDelay.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
            List<PartitionInfo> partitions = partitions();
            if (partitions == null) {
                return;
            }
            shards = new Shards(partitions.size());
            consumer.subscribe(List.of(topic), new Rebalance());
            LOG.log(Level.INFO, "joined presence shard group on " + topic + " (" + partitions.size() + " shards)");
            while (closing.getCount() > 0) {
                try {
                    consumer.poll(POLL);
                } catch (WakeupException e) {
                    break;
                } catch (KafkaException e) {
                    // Kafka unreachable or the group unhappy: keep polling, the client reconnects and rejoins.
                    LOG.log(Level.WARNING, "presence shard group: " + e);
                    closing.await(1, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (WakeupException e) {
            LOG.log(Level.DEBUG, "presence shard group closed while joining");
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "presence shard group failed; this instance owns no shard", e);
        } finally {
            owned = Set.of();
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** The coordination topic's partitions, asked until Kafka answers; null when closed meanwhile. */
    private List<PartitionInfo> partitions() throws InterruptedException {
        while (closing.getCount() > 0) {
            try {
                List<PartitionInfo> partitions = consumer.partitionsFor(topic);
                if (partitions != null && !partitions.isEmpty()) {
                    return partitions;
                }
                LOG.log(Level.WARNING, "presence shard topic " + topic + " does not exist; is presence.shards.topic"
                        + " the same on every instance, and kafka.topic.create on?");
            } catch (WakeupException e) {
                return null;
            } catch (KafkaException e) {
                LOG.log(Level.WARNING, "presence shard group: cannot read " + topic + " (" + e + "); retrying");
            }
            closing.await(1, TimeUnit.SECONDS);
        }
        return null;
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Set<Integer> gained = new HashSet<>();
            partitions.forEach(p -> gained.add(p.partition()));
            gained.removeAll(owned);
            Set<Integer> now = new HashSet<>(owned);
            now.addAll(gained);
            owned = Set.copyOf(now);
            if (!gained.isEmpty()) {
                LOG.log(Level.INFO, "presence shards taken: " + new TreeSet<>(gained) + ", owned: " + owned());
                Shards s = shards;
                Set<Integer> taken = Set.copyOf(gained);
                listener.taken(key -> taken.contains(s.of(key)));
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            drop(partitions, "revoked");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions, "lost");
        }

        private void drop(Collection<TopicPartition> partitions, String how) {
            if (partitions.isEmpty()) {
                return;
            }
            Set<Integer> now = new HashSet<>(owned);
            partitions.forEach(p -> now.remove(p.partition()));
            owned = Set.copyOf(now);
            LOG.log(Level.INFO, "presence shards " + how + ": " + partitions.stream().map(TopicPartition::partition)
                    .sorted().toList() + ", owned: " + owned());
        }
    }
}
