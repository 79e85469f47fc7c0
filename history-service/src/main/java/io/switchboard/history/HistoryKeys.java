package io.switchboard.history;

import static io.switchboard.service.config.ValueType.DURATION;
import static io.switchboard.service.config.ValueType.INT;
import static io.switchboard.service.config.ValueType.LONG;
import static io.switchboard.service.config.ValueType.PATH;
import static io.switchboard.service.config.ValueType.STRING;

import io.switchboard.proto.Names;
import io.switchboard.service.InstanceIds;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeyCatalogue;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.tls.ServerTlsKeys;
import io.switchboard.service.config.PatternKey;
import io.switchboard.service.telemetry.TelemetryKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every {@code history.*} key, defined once, and the history service's {@link #CATALOGUE} (with the shared
 * {@code kafka.*} keys it reads). Stateless, hence thread-safe.
 */
public final class HistoryKeys {
    /** The most messages one Read may ask for (history.proto: limit 1-1000). */
    public static final int READ_LIMIT = 1000;

    private static final KeySection.Builder S = KeySection.builder("History service (`history.*`)");
    private static final Check<String> NAMESPACE = Check.of(ns -> !ns.isEmpty() && Names.roomProblem(ns).isEmpty()
            && ns.indexOf(':') < 0, "a namespace: [A-Za-z0-9][A-Za-z0-9._@/-]*");

    public static final Key<String> ID = S.define("history.id", STRING)
            .byDefault(() -> InstanceIds.defaultId("history"), InstanceIds.DEFAULT_DOC.replace("<tier>", "history"))
            .check(InstanceIds.CHECK)
            .doc("Names this instance in logs and in the Kafka client id.");
    public static final Key<Integer> GRPC_PORT = S.define("history.grpc.port", INT).byDefault(7080)
            .check(Check.port())
            .doc("gRPC port (HistoryService, gRPC health, server reflection). `0` = any free port.");
    public static final Key<Integer> METRICS_PORT = S.define("history.metrics.port", INT).byDefault(9092)
            .check(Check.portOrDisabled())
            .doc("HTTP port for `/metrics`, `/health/live`, `/health/ready`. `0` = any free port, `-1` = disabled.");
    public static final Key<Path> DATA_DIR = S.define("history.data-dir", PATH).byDefault(Path.of("./data/history"))
            .doc("RocksDB directory (created if absent). One process per directory.");
    public static final Key<String> GROUP_ID = S.define("history.group-id", STRING).byDefault("switchboard-history")
            .doc("Consumer group under which ingest offsets are committed, for lag monitoring only (resume positions"
                    + " live in the store). Every instance ingests every partition: give replicas distinct group ids"
                    + " to keep lag readable.");
    public static final Key<Duration> MAX_AGE = S.define("history.retention.max-age", DURATION)
            .byDefault(Duration.ofDays(7)).check(Check.positive())
            .doc("Messages whose stored time (Kafka record timestamp) is older are deleted by the sweeper.");
    public static final Key<Long> MAX_MESSAGES = S.define("history.retention.max-messages", LONG)
            .byDefault(10_000L).check(Check.positiveNumber())
            .doc("Most messages kept per room; the oldest beyond it are deleted by the sweeper.");
    public static final PatternKey<Duration> NAMESPACE_MAX_AGE = S.pattern(
                    "history.retention.namespaces.<ns>.max-age", DURATION)
            .segment(NAMESPACE).check(Check.positive()).unsetMeans("`history.retention.max-age`")
            .doc("Override for rooms of namespace `<ns>` (the part of the room name before the first `:`); `inbox`"
                    + " sets how long the users' inboxes keep their stored direct messages. A"
                    + " namespace containing `-` or `.` cannot be written as an environment variable unambiguously;"
                    + " set such overrides in the YAML file.");
    public static final PatternKey<Long> NAMESPACE_MAX_MESSAGES = S.pattern(
                    "history.retention.namespaces.<ns>.max-messages", LONG)
            .segment(NAMESPACE).check(Check.positiveNumber()).unsetMeans("`history.retention.max-messages`")
            .doc("Override for rooms of namespace `<ns>` (`inbox`: the most stored direct messages per user).");
    public static final Key<Duration> SWEEP_INTERVAL = S.define("history.retention.sweep-interval", DURATION)
            .byDefault(Duration.ofMinutes(1)).check(Check.positive())
            .doc("How often retention runs over every room.");
    public static final Key<Integer> MAX_READ_MESSAGES = S.define("history.max-read-messages", INT)
            .byDefault(READ_LIMIT).check(Check.between(1, READ_LIMIT))
            .doc("Largest accepted `limit`; larger requests get `INVALID_ARGUMENT`.");
    public static final Key<Duration> MAX_READ_WAIT = S.define("history.max-read-wait", DURATION)
            .byDefault(Duration.ofSeconds(30)).check(Check.positive())
            .doc("Longest a Read with `until` waits for ingestion (the call's deadline, if shorter, wins).");
    public static final Key<Duration> STARTUP_TIMEOUT = S.define("history.startup-timeout", DURATION)
            .byDefault(Duration.ofSeconds(30)).check(Check.positive())
            .doc("How long startup waits for Kafka and for the topic to exist (the router creates it).");
    public static final Key<Duration> SHUTDOWN_GRACE = S.define("history.shutdown-grace", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.nonNegative())
            .doc("On SIGTERM / `close()`: how long running reads may finish before the server is forced down.");

    /** {@code history.grpc.tls.*}: TLS of the gRPC port. */
    public static final ServerTlsKeys GRPC_TLS = ServerTlsKeys.define(S, "history.grpc.tls", "`HistoryService` calls");

    /** {@code history.log-format}: text or JSON log lines. */
    public static final Key<String> LOG_FORMAT = TelemetryKeys.logFormat(S, "history");

    public static final KeySection SECTION = S.rules(GRPC_TLS.rules()).build();

    /** The {@code kafka.consumer.*} passthrough section. */
    public static final String CONSUMER = "kafka.consumer";

    /** Every key the history service reads. */
    public static final KeyCatalogue CATALOGUE = KeyCatalogue.builder("history")
            .section(SECTION)
            .shared(KafkaKeys.BOOTSTRAP_SERVERS, KafkaKeys.TOPIC_NAME)
            .passthrough(CONSUMER, owned(), Map.of(), "Extra consumer properties of the history service, verbatim;"
                    + " `security.*`, `sasl.*`, `ssl.*` also go to the startup admin client. Unless set here, the"
                    + " consumer runs with `fetch.min.bytes=65536` and `fetch.max.wait.ms=20`: history is not on the"
                    + " delivery path, so it ingests in fetches of up to 20 ms instead of one fetch per record.")
            .checkRoot("kafka", KafkaKeys::isKnown)
            .build();

    private HistoryKeys() {
    }

    private static Map<String, String> owned() {
        Map<String, String> owned = new LinkedHashMap<>();
        List.of("bootstrap.servers", "group.id", "enable.auto.commit", "key.deserializer", "value.deserializer",
                "auto.offset.reset").forEach(key -> owned.put(key, "the history service owns it"));
        return owned;
    }
}
