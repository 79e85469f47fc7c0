package io.switchboard.service;

import static io.switchboard.service.ConfigChecks.check;
import static io.switchboard.service.ConfigValues.bool;
import static io.switchboard.service.ConfigValues.integer;
import static io.switchboard.service.ConfigValues.string;

import io.helidon.config.Config;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * A topic a tier writes and may create at startup, as configured under {@code kafka.*}: its name and partitions
 * under its own section ({@code kafka.topic.*}, {@code kafka.presence-topic.*}), its replication under the
 * shared {@code kafka.topic.replication-factor}, {@code kafka.topic.min-insync-replicas} and
 * {@code kafka.topic.create}. Immutable and validated, hence thread-safe.
 *
 * @param name              {@code <section>.name}
 * @param partitions        {@code <section>.partitions}: partitions when created
 * @param replicationFactor {@code kafka.topic.replication-factor}: replication when created
 * @param minInsyncReplicas {@code kafka.topic.min-insync-replicas}; empty leaves the broker default
 * @param create            {@code kafka.topic.create}: whether startup creates the topic when absent
 */
public record KafkaTopicSettings(String name, int partitions, short replicationFactor,
                                 OptionalInt minInsyncReplicas, boolean create) {
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    /** Checks the rule spanning values: {@code min-insync-replicas <= replication-factor}. */
    public KafkaTopicSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(minInsyncReplicas, "minInsyncReplicas");
        short factor = replicationFactor;
        minInsyncReplicas.ifPresent(min -> check(min <= factor, "kafka.topic.min-insync-replicas", min,
                "<= kafka.topic.replication-factor " + factor));
    }

    /**
     * A builder for the topic of {@code section} ({@code kafka.topic}, {@code kafka.presence-topic}...) with
     * the given defaults; {@code maxPartitions} bounds {@code <section>.partitions}.
     */
    public static Builder builder(String section, String defaultName, int defaultPartitions, int maxPartitions) {
        return new Builder(section, defaultName, defaultPartitions, maxPartitions);
    }

    /** Returns {@code topic} when it is a legal Kafka topic name; the message names {@code key}. */
    public static String checkName(String key, String topic) {
        Objects.requireNonNull(topic, key);
        check(TOPIC.matcher(topic).matches() && !topic.equals(".") && !topic.equals(".."), key,
                "'" + topic + "'", "1-249 of [a-zA-Z0-9._-]");
        return topic;
    }

    /** Builds {@link KafkaTopicSettings}; setters reject bad values at once. Not thread-safe. */
    public static final class Builder {
        private final String section;
        private final int maxPartitions;
        private String name;
        private int partitions;
        private short replicationFactor = 1;
        private OptionalInt minInsyncReplicas = OptionalInt.empty();
        private boolean create = true;

        private Builder(String section, String defaultName, int defaultPartitions, int maxPartitions) {
            this.section = Objects.requireNonNull(section, "section");
            this.maxPartitions = maxPartitions;
            name(defaultName);
            partitions(defaultPartitions);
        }

        /** {@code <section>.name}. */
        public Builder name(String topic) {
            this.name = checkName(section + ".name", topic);
            return this;
        }

        /** {@code <section>.partitions}, 1 to the maximum given to the builder. */
        public Builder partitions(int count) {
            check(count > 0 && count <= maxPartitions, section + ".partitions", count,
                    maxPartitions == Integer.MAX_VALUE ? "> 0" : "1-" + maxPartitions);
            this.partitions = count;
            return this;
        }

        /** {@code kafka.topic.replication-factor}, default 1. */
        public Builder replicationFactor(int replicas) {
            check(replicas > 0 && replicas <= Short.MAX_VALUE, "kafka.topic.replication-factor", replicas,
                    "1-" + Short.MAX_VALUE);
            this.replicationFactor = (short) replicas;
            return this;
        }

        /** {@code kafka.topic.min-insync-replicas}, default unset (the broker's default applies). */
        public Builder minInsyncReplicas(int replicas) {
            check(replicas > 0, "kafka.topic.min-insync-replicas", replicas, "> 0");
            this.minInsyncReplicas = OptionalInt.of(replicas);
            return this;
        }

        /** {@code kafka.topic.create}, default true. */
        public Builder create(boolean create) {
            this.create = create;
            return this;
        }

        /**
         * Sets what {@code kafka} (the {@code kafka} config node) holds of this topic's keys; absent keys keep
         * their values.
         */
        public Builder read(Config kafka) {
            String own = section.substring("kafka.".length());
            string(kafka, own + ".name").ifPresent(this::name);
            integer(kafka, own + ".partitions").ifPresent(this::partitions);
            integer(kafka, "topic.replication-factor").ifPresent(this::replicationFactor);
            integer(kafka, "topic.min-insync-replicas").ifPresent(this::minInsyncReplicas);
            bool(kafka, "topic.create").ifPresent(this::create);
            return this;
        }

        /** @throws IllegalArgumentException when {@code min-insync-replicas} exceeds the replication factor */
        public KafkaTopicSettings build() {
            return new KafkaTopicSettings(name, partitions, replicationFactor, minInsyncReplicas, create);
        }
    }
}
