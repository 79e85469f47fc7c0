package io.switchboard.router.kafka;

import io.switchboard.service.LoopThreads;
import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What the router's topic followers ({@link PresenceRecordListener}, {@link RoomLogIndexer}) share: a byte-array
 * consumer without a consumer group (it assigns itself partitions, never commits, never creates the topic) owned
 * by one named platform thread whose uncaught exceptions are logged. Stateless.
 */
final class GroupFreeFollower {
    private static final System.Logger LOG = System.getLogger(GroupFreeFollower.class.getName());

    private GroupFreeFollower() {
    }

    /**
     * A consumer over {@code connection} (bootstrap servers, security) plus {@code extra} settings, without a group,
     * starting from the end of a partition it was not told to seek in.
     */
    static KafkaConsumer<byte[], byte[]> consumer(Properties connection, Properties extra) {
        Properties props = new Properties();
        props.putAll(connection);
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "latest");
        // The topics are created by their owners (bootstrap, the presence service), never with the broker's defaults.
        props.put("allow.auto.create.topics", "false");
        props.putAll(extra);
        props.remove("group.id");
        return new KafkaConsumer<>(props);
    }

    /** The follower's thread, not started: a daemon platform thread named {@code name}. */
    static Thread thread(String name, Runnable body) {
        return Thread.ofPlatform().name(name).daemon(true)
                .uncaughtExceptionHandler((t, e) -> LOG.log(System.Logger.Level.ERROR,
                        "uncaught exception in " + t.getName(), e))
                .unstarted(body);
    }

    /**
     * Stops a started follower: wakes its consumer's poll and waits up to {@code timeout} for its thread (which closes
     * the consumer on its way out), logging {@code what} when it does not stop in time.
     */
    static void stop(Consumer<?, ?> consumer, Thread thread, Duration timeout, String what) {
        if (!LoopThreads.stop(thread, consumer::wakeup, timeout)) {
            LOG.log(System.Logger.Level.WARNING, what + " did not stop within " + timeout);
        }
    }
}
