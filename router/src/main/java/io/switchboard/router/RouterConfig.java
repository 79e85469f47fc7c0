package io.switchboard.router;

import io.helidon.config.Config;
import io.switchboard.router.api.ApiConfig;
import io.switchboard.service.ConfigFiles;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.KafkaTopicSettings;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.Settings;
import io.switchboard.service.config.Values;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The router's configuration: the values of the keys in {@link RouterKeys} (read one with {@link #get(Key)}) and
 * the records made of them. Built from Helidon {@link Config} ({@link #from(Config)}) or in code
 * ({@link #builder()}); every value is checked as it is set and every rule between values when built, with
 * messages in the form {@code "router.max-in-flight: 0 (expected: > 0)"}. Immutable, hence thread-safe.
 */
public final class RouterConfig implements Values {
    private final Settings settings;
    private final KafkaTopicSettings topic;
    private final ApiConfig api;

    private RouterConfig(Settings settings) {
        this.settings = settings;
        this.topic = KafkaTopicSettings.of(settings, KafkaKeys.TOPIC_NAME, KafkaKeys.TOPIC_PARTITIONS);
        this.api = ApiConfig.from(settings);
    }

    /** A builder with every value at its default. */
    public static ConfigBuilder<RouterConfig> builder() {
        return RouterKeys.CATALOGUE.builder(RouterConfig::new);
    }

    /**
     * Reads {@code router.*} and the router's {@code kafka.*} keys from a root config node; absent keys keep their
     * defaults. Unknown keys under {@code router} and {@code kafka} are logged as warnings.
     *
     * @throws IllegalArgumentException naming the key when a value is malformed or out of range
     */
    public static RouterConfig from(Config root) {
        return new RouterConfig(RouterKeys.CATALOGUE.read(root));
    }

    /**
     * Loads the configuration the way {@code RouterMain} does, highest priority first: environment variables,
     * system properties, then the optional YAML {@code file}.
     *
     * @throws IllegalArgumentException when {@code file} is not a readable file or a value is invalid
     */
    public static RouterConfig load(Optional<Path> file) {
        return from(ConfigFiles.load(file));
    }

    /** The value of {@code key} (one of {@link RouterKeys}, {@code ApiKeys} or the shared Kafka keys it reads). */
    @Override
    public <T> T get(Key<T> key) {
        return settings.get(key);
    }

    /** The value of a key that is unset by default, such as {@link RouterKeys#PRESENCE_ADDRESS}. */
    public <T> Optional<T> find(Key<T> key) {
        return settings.find(key);
    }

    /** Every value. */
    public Settings settings() {
        return settings;
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
        return settings.passthrough(RouterKeys.PRODUCER);
    }

    /** Every value; secrets masked, passthrough properties by name only. */
    @Override
    public String toString() {
        return "RouterConfig" + settings;
    }
}
