package io.switchboard.gateway.signals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.protobuf.InvalidProtocolBufferException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.fanout.SubscriptionRegistry;
import io.switchboard.gateway.session.ConnectionRegistry;
import io.switchboard.proto.internal.v1.ControlRecord;
import io.switchboard.proto.internal.v1.EphemeralRecord;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.service.KafkaClientSettings;
import io.switchboard.service.LoopThreads;
import io.switchboard.service.RetryWaits;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the ephemeral, control and presence topics on one dedicated, named platform thread: assigns every partition
 * (no group, no commits: every gateway reads everything), starts at the end (signals are never replayed) and hands
 * each record to the {@link SignalDispatcher}. A topic that does not exist yet (its creator, a router or the
 * presence service, has not started) is looked up again with a bounded backoff while the others are read.
 * {@link #start} does not wait for the topics: signals are best-effort and must not keep a gateway from serving.
 *
 * <p>Thread-safe: {@link #start} and {@link #stop} may be called from any thread; everything else runs on the
 * consumer thread.
 */
public final class SignalConsumer {
    private static final Logger LOG = Logger.getLogger(SignalConsumer.class.getName());
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final String ROOM_KEY_PREFIX = "room:";

    /**
     * The signal topics.
     *
     * @param ephemeral {@code kafka.ephemeral-topic.name}
     * @param control   {@code kafka.control-topic.name}
     * @param presence  {@code kafka.presence-topic.name}
     */
    public record Topics(String ephemeral, String control, String presence) {
        public Topics {
            Objects.requireNonNull(ephemeral, "ephemeral");
            Objects.requireNonNull(control, "control");
            Objects.requireNonNull(presence, "presence");
            if (Set.of(ephemeral, control, presence).size() != 3) {
                throw new IllegalArgumentException("signal topics: " + List.of(ephemeral, control, presence)
                        + " (expected: three different names)");
            }
        }

        List<String> all() {
            return List.of(ephemeral, control, presence);
        }
    }

    private final Topics topics;
    private final Properties consumerProps;
    private final SignalDispatcher dispatcher;
    private final SignalMetrics metrics;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile boolean started;
    // Set once the consumer exists (by the consumer thread); read by stop() to wake it up.
    private volatile KafkaConsumer<String, byte[]> consumer;
    // Written by the consumer thread once a topic's positions are resolved; read by any thread.
    private final Set<String> positioned = ConcurrentHashMap.newKeySet();

    /**
     * @param clientId    Kafka client id
     * @param passthrough {@code kafka.consumer.*} properties; they override the defaults set here
     * @param gatewayId   this gateway's id (control records name the gateways they are for)
     */
    public SignalConsumer(String bootstrapServers, String clientId, Map<String, String> passthrough, Topics topics,
                          String gatewayId, SubscriptionRegistry subscriptions, ConnectionRegistry connections,
                          PrometheusRegistry registry) {
        this.topics = Objects.requireNonNull(topics, "topics");
        this.metrics = new SignalMetrics(registry);
        this.dispatcher = new SignalDispatcher(gatewayId, subscriptions, connections, metrics);
        Properties p = KafkaClientSettings.followingConsumer(bootstrapServers, clientId, passthrough);
        // Looking a missing topic up must not create it with broker defaults (its creator sets retention etc.).
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumerProps = p;
        this.thread = Thread.ofPlatform().name("switchboard-signals-" + clientId).daemon(true).unstarted(this::run);
        this.thread.setUncaughtExceptionHandler((t, e) -> LOG.log(Level.SEVERE, "Signal consumer thread died", e));
    }

    /** Starts the consumer thread. Fails when called twice. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("Already started");
        }
        started = true;
        thread.start();
    }

    /**
     * True once every record written to the presence topic from now on reaches this gateway's subscribers. Before,
     * a member page read here could be followed by a presence event this gateway never relays, and a client would
     * not notice the gap until the room's next event: member pages wait for it (docs/protocol.md section 11.1).
     */
    public boolean presenceFlowing() {
        return positioned.contains(topics.presence());
    }

    /** Stops the consumer thread and closes the consumer; waits at most {@code timeout}. Idempotent. */
    public void stop(Duration timeout) {
        stopping = true;
        stopped.countDown();
        KafkaConsumer<String, byte[]> c = consumer;
        try {
            if (!LoopThreads.stop(thread, c == null ? () -> { } : c::wakeup, timeout)) {
                LOG.warning("The signal consumer did not stop within " + timeout);
            }
        } finally {
            metrics.close();
        }
    }

    private void run() {
        Set<String> missing = new LinkedHashSet<>(topics.all());
        List<TopicPartition> assigned = new ArrayList<>();
        RetryWaits backoff = new RetryWaits(MIN_BACKOFF, MAX_BACKOFF);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerProps)) {
            consumer = c;
            while (!stopping) {
                if (!missing.isEmpty()) {
                    int before = missing.size();
                    resolve(c, missing, assigned);
                    metrics.topicsReady(topics.all().size() - missing.size());
                    if (!missing.isEmpty()) {
                        if (missing.size() == before) {
                            LOG.fine("Signal topics " + missing + " not found yet; retrying in " + backoff.current());
                        }
                        if (assigned.isEmpty()) {
                            if (stopped.await(backoff.current().toMillis(), TimeUnit.MILLISECONDS)) {
                                return;
                            }
                            backoff.advance();
                            continue;
                        }
                        backoff.advance();
                    }
                }
                for (ConsumerRecord<String, byte[]> rec : c.poll(assigned.isEmpty() ? Duration.ZERO : POLL)) {
                    dispatch(rec);
                }
            }
        } catch (WakeupException e) {
            if (!stopping) {
                LOG.log(Level.SEVERE, "Signal consumer woken up unexpectedly", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.log(Level.SEVERE, "Signal consumer failed; this gateway no longer relays ephemeral events, "
                        + "presence events, direct messages or control commands", e);
            }
        } finally {
            positioned.clear(); // nothing is relayed any more: member pages are refused rather than left uncorrected
            metrics.topicsReady(0);
        }
    }

    /** Assigns the partitions of every topic in {@code missing} that exists now, positioned at its end. */
    private void resolve(KafkaConsumer<String, byte[]> c, Set<String> missing, List<TopicPartition> assigned) {
        List<TopicPartition> added = new ArrayList<>();
        for (String topic : List.copyOf(missing)) {
            List<PartitionInfo> infos;
            try {
                infos = c.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (WakeupException e) {
                throw e;
            } catch (KafkaException e) {
                LOG.log(Level.FINE, "Looking up signal topic " + topic + " failed; retrying", e);
                continue;
            }
            if (infos == null || infos.isEmpty()) {
                continue;
            }
            for (PartitionInfo info : infos) {
                added.add(new TopicPartition(topic, info.partition()));
            }
            missing.remove(topic);
        }
        if (added.isEmpty()) {
            return;
        }
        assigned.addAll(added);
        c.assign(assigned);
        c.seekToEnd(added);
        // seekToEnd is lazy: resolve the positions now so records written from here on are all seen.
        for (TopicPartition tp : added) {
            c.position(tp, Duration.ofSeconds(30));
        }
        added.forEach(tp -> positioned.add(tp.topic()));
        LOG.info("Signal consumer reads " + added.size() + " partitions of "
                + added.stream().map(TopicPartition::topic).distinct().toList() + " from their end");
    }

    private void dispatch(ConsumerRecord<String, byte[]> rec) {
        String topic = rec.topic();
        String kind = topic.equals(topics.ephemeral()) ? "ephemeral"
                : topic.equals(topics.control()) ? "control" : "presence";
        if (rec.value() == null) {
            metrics.record(kind, "invalid");
            return;
        }
        try {
            switch (kind) {
                case "ephemeral" -> {
                    if (rec.key() == null || !dispatcher.hasSubscribers(rec.key())) {
                        metrics.record(kind, "no_subscribers");
                        return;
                    }
                    dispatcher.ephemeral(EphemeralRecord.parseFrom(rec.value()));
                }
                case "control" -> {
                    if (!dispatcher.control(ControlRecord.parseFrom(rec.value()))) {
                        metrics.record(kind, "not_addressed");
                        return;
                    }
                }
                default -> {
                    // Only room records concern gateways; user records are for routers.
                    String key = rec.key();
                    if (key == null || !key.startsWith(ROOM_KEY_PREFIX)) {
                        metrics.record(kind, "ignored");
                        return;
                    }
                    if (!dispatcher.hasSubscribers(key.substring(ROOM_KEY_PREFIX.length()))) {
                        metrics.record(kind, "no_subscribers");
                        return;
                    }
                    PresenceRecord r = PresenceRecord.parseFrom(rec.value());
                    if (!r.hasRoom()) {
                        metrics.record(kind, "ignored");
                        return;
                    }
                    dispatcher.presence(r.getRoom());
                }
            }
            metrics.record(kind, "dispatched");
        } catch (InvalidProtocolBufferException e) {
            metrics.record(kind, "invalid");
            LOG.log(Level.WARNING, "Skipping signal record " + rec.topic() + "-" + rec.partition() + "@"
                    + rec.offset() + ": not a valid " + kind + " record", e);
        } catch (RuntimeException e) {
            metrics.record(kind, "invalid");
            LOG.log(Level.WARNING, "Dispatching signal record " + rec.topic() + "-" + rec.partition() + "@"
                    + rec.offset() + " failed", e);
        }
    }
}
