package io.switchboard.presence;

import io.helidon.config.Config;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.KafkaTopicSettings;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.Settings;
import io.switchboard.service.config.TierConfig;

import java.time.Duration;
import java.util.Map;

/**
 * The presence service's configuration: the values of the keys in {@link PresenceKeys} (read one with
 * {@link #get(Key)}) and the records made of them. Built from Helidon {@link Config} ({@link #from(Config)}) or in
 * code ({@link #builder()}); messages name the key, in the form {@code "presence.lease-ttl: PT0S (expected:
 * PT0.03S-PT1H)"}. Immutable, hence thread-safe.
 */
public final class PresenceConfig extends TierConfig {
    private final KafkaTopicSettings topic;

    private PresenceConfig(Settings settings) {
        super(settings);
        this.topic = KafkaTopicSettings.of(settings, KafkaKeys.PRESENCE_TOPIC_NAME,
                KafkaKeys.PRESENCE_TOPIC_PARTITIONS);
    }

    /** A builder with every value at its default. */
    public static ConfigBuilder<PresenceConfig> builder() {
        return PresenceKeys.CATALOGUE.builder(PresenceConfig::new);
    }

    /** Reads {@code presence.*} and its {@code kafka.*} keys (unknown ones are logged); a bad value throws. */
    public static PresenceConfig from(Config root) {
        return new PresenceConfig(PresenceKeys.CATALOGUE.read(root));
    }

    /**
     * How long after its start the service collects the gateways' Syncs before it writes records and answers
     * member pages: half a lease, enough for every gateway to report (each does within a third of it).
     */
    public Duration warmUp() {
        return get(PresenceKeys.LEASE_TTL).dividedBy(2);
    }

    /** How often the lease reaper runs: a tenth of the lease, between 10 ms and 1 s. */
    public Duration reapInterval() {
        Duration tenth = get(PresenceKeys.LEASE_TTL).dividedBy(10);
        Duration floor = Duration.ofMillis(10);
        Duration ceiling = Duration.ofSeconds(1);
        return tenth.compareTo(floor) < 0 ? floor : tenth.compareTo(ceiling) > 0 ? ceiling : tenth;
    }

    /** The presence topic's {@code kafka.*} settings as one value. */
    public KafkaTopicSettings topicSettings() {
        return topic;
    }

    /** {@code kafka.producer.*}: extra producer properties, passed through verbatim. */
    public Map<String, String> producerProperties() {
        return settings().passthrough(PresenceKeys.PRODUCER);
    }
}
