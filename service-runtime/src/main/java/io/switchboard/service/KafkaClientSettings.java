package io.switchboard.service;

import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * The shared {@code kafka.*} client keys every tier reads: {@code kafka.bootstrap-servers} and a passthrough
 * section ({@code kafka.producer.*} or {@code kafka.consumer.*}) of which the tier owns some properties.
 * Stateless, hence thread-safe.
 */
public final class KafkaClientSettings {
    /** The bootstrap servers every tier defaults to. */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

    private KafkaClientSettings() {
    }

    /** Checks {@code kafka.bootstrap-servers} and returns it stripped. */
    public static String bootstrapServers(String servers) {
        Objects.requireNonNull(servers, "kafka.bootstrap-servers");
        ConfigChecks.check(!servers.isBlank(), "kafka.bootstrap-servers", "'" + servers + "'",
                "host:port[,host:port...]");
        return servers.strip();
    }

    /**
     * Rejects a passthrough property the tier owns: {@code "<section>.<key>: '<value>' (expected: not set:
     * <reason>)"}, the reason being {@code owned.get(key)}.
     *
     * @param section {@code kafka.producer} or {@code kafka.consumer}
     */
    public static void checkPassthrough(String section, String key, String value, Map<String, String> owned) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        String reason = owned.get(key);
        ConfigChecks.check(reason == null, section + "." + key, "'" + value + "'", "not set: " + reason);
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
