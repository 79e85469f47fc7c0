package io.switchboard.history;

import static io.switchboard.service.ConfigValues.duration;
import static io.switchboard.service.ConfigValues.integer;
import static io.switchboard.service.ConfigValues.leaves;
import static io.switchboard.service.ConfigValues.longValue;
import static io.switchboard.service.ConfigValues.string;

import io.helidon.config.Config;
import io.switchboard.service.UnknownKeys;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Maps Helidon {@link Config} onto {@link HistoryConfig.Builder}: the one place that knows the key names. Stateless. */
final class HistoryConfigReader {
    private static final System.Logger LOG = System.getLogger(HistoryConfig.class.getName());
    private static final String NAMESPACES = "retention.namespaces.";

    /** Every key under {@code history}, relative to it (namespace overrides are matched separately). */
    static final Set<String> HISTORY_KEYS = Set.of("id", "grpc.port", "metrics.port", "data-dir", "group-id",
            "retention.max-age", "retention.max-messages", "retention.sweep-interval", "max-read-messages",
            "max-read-wait", "startup-timeout", "shutdown-grace");

    private HistoryConfigReader() {
    }

    static HistoryConfig read(Config root) {
        Config history = root.get("history");
        Config kafka = root.get("kafka");
        UnknownKeys.warn(LOG, unknownKeys(root));

        HistoryConfig.Builder b = HistoryConfig.builder();
        string(history, "id").ifPresent(b::id);
        integer(history, "grpc.port").ifPresent(b::grpcPort);
        integer(history, "metrics.port").ifPresent(b::metricsPort);
        string(history, "data-dir").map(Path::of).ifPresent(b::dataDir);
        string(history, "group-id").ifPresent(b::groupId);
        duration(history, "retention.max-age").ifPresent(b::maxAge);
        longValue(history, "retention.max-messages").ifPresent(b::maxMessages);
        duration(history, "retention.sweep-interval").ifPresent(b::sweepInterval);
        integer(history, "max-read-messages").ifPresent(b::maxReadMessages);
        duration(history, "max-read-wait").ifPresent(b::maxReadWait);
        duration(history, "startup-timeout").ifPresent(b::startupTimeout);
        duration(history, "shutdown-grace").ifPresent(b::shutdownGrace);
        for (String key : leaves(history).keySet()) {
            if (key.startsWith(NAMESPACES) && key.endsWith(".max-age")) {
                String ns = key.substring(NAMESPACES.length(), key.length() - ".max-age".length());
                duration(history, key).ifPresent(d -> b.namespaceMaxAge(ns, d));
            } else if (key.startsWith(NAMESPACES) && key.endsWith(".max-messages")) {
                String ns = key.substring(NAMESPACES.length(), key.length() - ".max-messages".length());
                longValue(history, key).ifPresent(n -> b.namespaceMaxMessages(ns, n));
            }
        }

        string(kafka, "bootstrap-servers").ifPresent(b::bootstrapServers);
        string(kafka, "topic.name").ifPresent(b::topic);
        leaves(kafka.get("consumer")).forEach(b::consumerProperty);
        return b.build();
    }

    /** Full keys of the values under {@code history} that the service does not know. */
    static List<String> unknownKeys(Config root) {
        return UnknownKeys.find(root, "history", key -> HISTORY_KEYS.contains(key) || (key.startsWith(NAMESPACES)
                && (key.endsWith(".max-age") || key.endsWith(".max-messages"))));
    }
}
