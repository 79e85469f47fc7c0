package io.switchboard.service;

import java.util.Map;
import java.util.Properties;

/**
 * Kafka client properties every tier builds the same way. Stateless, hence thread-safe.
 */
public final class KafkaClientSettings {
    private KafkaClientSettings() {
    }

    /**
     * Bootstrap servers plus the connection security settings ({@code security.*}, {@code sasl.*},
     * {@code ssl.*}) of {@code passthrough}: a tier's admin and side clients must reach the same cluster the
     * same way as its main client.
     */
    public static Properties connection(String bootstrapServers, Map<String, String> passthrough) {
        Properties props = new Properties();
        passthrough.forEach((key, value) -> {
            if (key.startsWith("security.") || key.startsWith("sasl.") || key.startsWith("ssl.")) {
                props.put(key, value);
            }
        });
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }

    /**
     * A consumer that follows its topics alone, without committing: bootstrap servers, {@code clientId}, no
     * auto-commit, a partition without a position read from its end; then {@code passthrough} (security, tuning),
     * which overrides these. The caller adds its deserializers.
     */
    public static Properties followingConsumer(String bootstrapServers, String clientId,
                                               Map<String, String> passthrough) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("client.id", clientId);
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "latest");
        props.putAll(passthrough);
        return props;
    }
}
