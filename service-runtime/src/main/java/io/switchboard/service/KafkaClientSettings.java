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
}
