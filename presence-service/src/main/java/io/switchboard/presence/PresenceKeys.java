package io.switchboard.presence;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.BYTES;
import static io.switchboard.service.config.ValueType.DURATION;
import static io.switchboard.service.config.ValueType.INT;
import static io.switchboard.service.config.ValueType.STRING;

import io.switchboard.service.InstanceIds;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeyCatalogue;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.telemetry.TelemetryKeys;
import io.switchboard.service.tls.ServerTlsKeys;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every {@code presence.*} key, defined once, and the presence service's {@link #CATALOGUE} (with the shared
 * {@code kafka.*} keys it reads). Stateless, hence thread-safe.
 */
public final class PresenceKeys {
    private static final KeySection.Builder S = KeySection.builder("Presence service (`presence.*`)");

    public static final Key<String> ID = S.define("presence.id", STRING)
            .byDefault(() -> InstanceIds.defaultId("presence"), InstanceIds.DEFAULT_DOC.replace("<tier>", "presence"))
            .check(InstanceIds.CHECK)
            .doc("Names this instance in logs and in the Kafka client id.");
    public static final Key<Integer> GRPC_PORT = S.define("presence.grpc.port", INT).byDefault(7090)
            .check(Check.port())
            .doc("gRPC port (PresenceService, gRPC health, server reflection). `0` = any free port.");
    public static final Key<Integer> METRICS_PORT = S.define("presence.metrics.port", INT).byDefault(9093)
            .check(Check.portOrDisabled())
            .doc("HTTP port for `/metrics`, `/health/live`, `/health/ready`. `0` = any free port, `-1` = disabled.");
    public static final Key<Duration> LEASE_TTL = S.define("presence.lease-ttl", DURATION)
            .byDefault(Duration.ofSeconds(5)).check(Check.between(Duration.ofMillis(30), Duration.ofHours(1)))
            .doc("How long a gateway's connections stay known without a Report or Sync. Returned to gateways as"
                    + " `lease_ms`; they report at least every third of it. When it passes, every connection of the"
                    + " gateway goes offline (leave deltas, user offline records). The reaper checks every tenth of it"
                    + " (10 ms-1 s), also for ended leave graces. For half of it after the service starts (the warm-up,"
                    + " in which every gateway syncs) room records are held back and member pages are refused with"
                    + " `UNAVAILABLE`.");
    public static final Key<Duration> DELTA_INTERVAL = S.define("presence.delta-interval", DURATION)
            .byDefault(Duration.ofMillis(500)).check(Check.between(Duration.ofMillis(10), Duration.ofMinutes(1)))
            .doc("How often changed rooms and users are written to the presence topic: at most one record per"
                    + " changed room and one per changed user per interval.");
    public static final Key<Duration> LEAVE_GRACE = S.define("presence.leave-grace", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.between(Duration.ZERO, Duration.ofHours(1)))
            .doc("How long a user whose connection closed (a reload, a network switch, a drained, restarted or"
                    + " resynced gateway) stays a member of the rooms that connection was their last one in, shown"
                    + " with one device and their status (`PT0S` = none). A connection of the user that subscribes"
                    + " meanwhile takes over without any event, so a reload keeps the user a member throughout; a user"
                    + " gone longer leaves, and comes back `ONLINE`. An unsubscribe and an expired lease take effect at"
                    + " once. Twice `gateway.drain.reconnect-window` by default, so that drained clients are back in"
                    + " time. User lookups (direct messages, disconnects) see the user offline during the grace.");
    public static final Key<Integer> LARGE_ROOM_THRESHOLD = S.define("presence.large-room-threshold", INT)
            .byDefault(100).check(Check.atLeast(0))
            .doc("A room with more users than this gets summary records (`summary=true`, counts only, no member"
                    + " lists). `0` = always summaries.");
    public static final Key<Integer> MAX_DELTA_MEMBERS = S.define("presence.max-delta-members", INT)
            .byDefault(50).check(Check.atLeast(0))
            .doc("A room delta with more changed members (joined + left + updated) than this becomes a summary. `0` ="
                    + " always summaries.");
    public static final Key<Integer> MAX_MESSAGE_BYTES = S.define("presence.max-message-bytes", BYTES)
            .byDefault(64 * 1024 * 1024).check(Check.atLeast(1024 * 1024))
            .doc("Largest gRPC request accepted. A Sync carries every connection of a gateway, far above gRPC's 4 MiB"
                    + " default: about 100-200 bytes per connection.");
    public static final Key<Duration> STARTUP_TIMEOUT = S.define("presence.startup-timeout", DURATION)
            .byDefault(Duration.ofSeconds(30)).check(Check.positive())
            .doc("How long startup waits for Kafka to create (or confirm) the presence topic before failing (exit code"
                    + " 1).");
    public static final Key<Duration> SHUTDOWN_GRACE = S.define("presence.shutdown-grace", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.nonNegative())
            .doc("On SIGTERM / `close()`: how long running calls may finish; then the last interval's deltas are"
                    + " written and the producer closed (at most 5 s).");

    public static final Key<Boolean> SHARDS_ENABLED = S.define("presence.shards.enabled", BOOLEAN)
            .byDefault(false)
            .doc("Run as one of several presence instances sharing the work (docs/architecture.md, \"Several presence"
                    + " instances\"). Every gateway reports to every instance, so each holds the whole model; the"
                    + " shards (rooms and users by hash) are split among the live instances by a Kafka consumer group"
                    + " on `presence.shards.topic`, and only a shard's owner writes its records and answers its member"
                    + " pages (others answer `UNAVAILABLE`, and callers ask the next instance). An instance joins the"
                    + " group after its warm-up and answers no query before. `false`: one instance owns everything.");
    public static final Key<String> SHARDS_TOPIC = S.define("presence.shards.topic", STRING)
            .byDefault("switchboard.presence-shards").check(Check.of(s -> !s.isBlank(), "not blank"))
            .doc("The coordination topic: its partitions are the shards, and the partitions the consumer group"
                    + " assigns to an instance are the shards it owns. Nothing is written to it. Created at start"
                    + " (when `kafka.topic.create`) with `presence.shards.count` partitions; every instance must use"
                    + " the same topic, group and count.");
    public static final Key<Integer> SHARDS_COUNT = S.define("presence.shards.count", INT)
            .byDefault(12).check(Check.between(1, 1024))
            .doc("Number of shards (partitions of `presence.shards.topic`). More than the instances you will run;"
                    + " a room or user belongs to shard `floorMod(key.hashCode(), count)`. An existing topic keeps"
                    + " its partition count, which then wins.");
    public static final Key<String> SHARDS_GROUP = S.define("presence.shards.group", STRING)
            .byDefault("switchboard-presence").check(Check.of(s -> !s.isBlank(), "not blank"))
            .doc("Kafka consumer group id of the presence instances.");
    public static final Key<Duration> SHARDS_SESSION_TIMEOUT = S.define("presence.shards.session-timeout", DURATION)
            .byDefault(Duration.ofSeconds(6)).check(Check.between(Duration.ofSeconds(1), Duration.ofMinutes(5)))
            .doc("Consumer `session.timeout.ms`: how long after an instance died (without leaving the group) its"
                    + " shards move to the others; a stopped instance leaves at once. The broker's"
                    + " `group.min.session.timeout.ms` (6 s by default) is the lower bound: lower it on the brokers"
                    + " to fail over faster (the local cluster and the Kubernetes files use 3 s).");

    /** {@code presence.grpc.tls.*}: TLS of the gRPC port. */
    public static final ServerTlsKeys GRPC_TLS = ServerTlsKeys.define(S, "presence.grpc.tls", "`PresenceService` calls");

    /** {@code presence.log-format}: text or JSON log lines. */
    public static final Key<String> LOG_FORMAT = TelemetryKeys.logFormat(S, "presence");

    public static final KeySection SECTION = S.rules(GRPC_TLS.rules()).build();

    /** The {@code kafka.producer.*} passthrough section. */
    public static final String PRODUCER = "kafka.producer";

    /** Every key the presence service reads. */
    public static final KeyCatalogue CATALOGUE = KeyCatalogue.builder("presence")
            .section(SECTION)
            .shared(KafkaKeys.BOOTSTRAP_SERVERS, KafkaKeys.PRESENCE_TOPIC_NAME, KafkaKeys.PRESENCE_TOPIC_PARTITIONS,
                    KafkaKeys.TOPIC_REPLICATION_FACTOR, KafkaKeys.TOPIC_MIN_INSYNC_REPLICAS, KafkaKeys.TOPIC_CREATE)
            .passthrough(PRODUCER, owned(), Map.of(), "Extra Kafka producer properties of the presence service,"
                    + " verbatim; `security.*`, `sasl.*`, `ssl.*` also go to the startup admin client. The producer"
                    + " always runs with `enable.idempotence=true` and `acks=all`.")
            .rule(KafkaKeys.MIN_INSYNC_WITHIN_REPLICATION)
            .checkRoot("kafka", KafkaKeys::isKnown)
            .build();

    private PresenceKeys() {
    }

    private static Map<String, String> owned() {
        Map<String, String> owned = new LinkedHashMap<>();
        List.of("bootstrap.servers", "key.serializer", "value.serializer", "enable.idempotence", "acks",
                "transactional.id").forEach(key -> owned.put(key, "the presence service owns it"));
        return owned;
    }
}
