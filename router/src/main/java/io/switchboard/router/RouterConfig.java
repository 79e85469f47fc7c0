package io.switchboard.router;

import io.helidon.config.Config;
import io.switchboard.router.api.ApiConfig;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.KafkaTopicSettings;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.Settings;
import io.switchboard.service.config.TierConfig;

import java.util.Map;

/**
 * The router's configuration: the values of the keys in {@link RouterKeys} (read one with {@link #get(Key)}) and
 * the records made of them. Built from Helidon {@link Config} ({@link #from(Config)}) or in code
 * ({@link #builder()}); every value is checked as it is set and every rule between values when built, with
 * messages in the form {@code "router.max-in-flight: 0 (expected: > 0)"}. Immutable, hence thread-safe.
 */
public final class RouterConfig extends TierConfig {
    private final KafkaTopicSettings topic;
    private final ApiConfig api;

    private RouterConfig(Settings settings) {
        super(settings);
        this.topic = KafkaTopicSettings.of(settings, KafkaKeys.TOPIC_NAME, KafkaKeys.TOPIC_PARTITIONS);
        this.api = ApiConfig.from(settings);
    }

    /** A builder with every value at its default. */
    public static ConfigBuilder<RouterConfig> builder() {
        return RouterKeys.CATALOGUE.builder(RouterConfig::new);
    }

    /** Reads {@code router.*} and its {@code kafka.*} keys (unknown ones are logged); a bad value throws. */
    public static RouterConfig from(Config root) {
        return new RouterConfig(RouterKeys.CATALOGUE.read(root));
    }

    /** The room log topic's {@code kafka.topic.*} settings as one value. */
    public KafkaTopicSettings topicSettings() {
        return topic;
    }

    /** {@code router.api.*}: the public {@code SwitchboardApi} this router serves on its gRPC port when enabled. */
    public ApiConfig api() {
        return api;
    }

    /** {@code kafka.producer.*}: extra producer properties, passed through verbatim. */
    public Map<String, String> producerProperties() {
        return settings().passthrough(RouterKeys.PRODUCER);
    }
}
