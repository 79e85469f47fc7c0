package io.switchboard.router;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.BYTES;
import static io.switchboard.service.config.ValueType.DURATION;
import static io.switchboard.service.config.ValueType.HOST_PORT;
import static io.switchboard.service.config.ValueType.INT;
import static io.switchboard.service.config.ValueType.LONG;
import static io.switchboard.service.config.ValueType.STRING;

import io.switchboard.router.api.ApiKeys;
import io.switchboard.service.InstanceIds;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.Check;
import io.switchboard.service.telemetry.TelemetryKeys;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeyCatalogue;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.Rule;
import io.switchboard.service.config.ValueType;
import io.switchboard.service.tls.ClientTlsKeys;
import io.switchboard.service.tls.ServerTlsKeys;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every {@code router.*} key, defined once, and the router's {@link #CATALOGUE}: these keys, the public API's
 * ({@link ApiKeys}) and the shared {@code kafka.*} keys the router reads. Stateless, hence thread-safe.
 */
public final class RouterKeys {
    /** The largest accepted {@code router.max-payload-bytes}: 16 MiB. */
    static final int MAX_PAYLOAD_LIMIT = 16 * 1024 * 1024;
    /** Ephemeral events are "typing..." hints: an hour is far beyond any use and fits uint32 milliseconds. */
    static final Duration MAX_EPHEMERAL_TTL = Duration.ofHours(1);

    private static final KeySection.Builder S = KeySection.builder("Router (`router.*`)");

    public static final Key<String> ID = S.define("router.id", STRING)
            .byDefault(() -> InstanceIds.defaultId("router"), InstanceIds.DEFAULT_DOC.replace("<tier>", "router"))
            .check(InstanceIds.CHECK)
            .doc("Names this router in logs and in the Kafka client id.");
    public static final Key<Integer> GRPC_PORT = S.define("router.grpc.port", INT).byDefault(7070).check(Check.port())
            .doc("gRPC port (RouterService, gRPC health, server reflection). `0` = any free port.");
    public static final Key<Boolean> GRPC_STREAM_ON_EVENT_LOOP = S.define("router.grpc.publish-stream-on-event-loop",
                    BOOLEAN).byDefault(false)
            .doc("The requests of the gateways' publish streams (`RouterService.PublishStream`) are handled on the"
                    + " thread that delivers them (as the API's in-process streams are) instead of being handed to a"
                    + " virtual thread each: a thread hand-off less per publish. Over the network that is the gRPC"
                    + " server's event loop; called in-process (`launcher.in-process-grpc`), the gateway's thread that"
                    + " sends the publish. The handler only starts the publish; it waits only when the Kafka producer"
                    + " must (metadata missing, send buffer full: `router.kafka.max-block`), and then holds up that"
                    + " thread's other work. Measured in docs/performance.md, \"Round 9b\" (network) and \"Round 25\""
                    + " (in-process).");
    public static final Key<Integer> METRICS_PORT = S.define("router.metrics.port", INT).byDefault(9091)
            .check(Check.portOrDisabled())
            .doc("HTTP port for `/metrics` (Prometheus), `/health/live` and `/health/ready`. `0` = any free port,"
                    + " `-1` = disabled.");
    public static final Key<Integer> MAX_PAYLOAD_BYTES = S.define("router.max-payload-bytes", BYTES)
            .byDefault(65_536).check(Check.between(1, MAX_PAYLOAD_LIMIT))
            .doc("Largest envelope payload; larger publishes get `RESOURCE_EXHAUSTED \"payload: N bytes (expected: <="
                    + " 65536)\"`. Kafka's `max.request.size`, 1 MB by default, must also fit it.");
    public static final Key<Integer> MAX_IN_FLIGHT = S.define("router.max-in-flight", INT)
            .byDefault(10_000).check(Check.positiveNumber())
            .doc("Publishes that may wait for Kafka at once; beyond it `RESOURCE_EXHAUSTED \"too many publishes in"
                    + " flight\"`. Retries of an id already in flight do not count. It bounds every Kafka write of the"
                    + " router (publishes, ephemeral events, control records).");
    public static final Key<Long> DEDUP_MAX_ENTRIES = S.define("router.dedup.max-entries", LONG)
            .byDefault(200_000L).check(Check.positiveNumber())
            .doc("(sender user, id) pairs remembered to answer retries with the original position. A few hundred"
                    + " bytes of heap each: size the heap for it (about 100 MB when full at the default; 200,000 ids"
                    + " cover ten minutes at over 300 publishes per second, of the whole cluster when"
                    + " `router.dedup.follow-log` is on).");
    public static final Key<Duration> DEDUP_TTL = S.define("router.dedup.ttl", DURATION)
            .byDefault(Duration.ofMinutes(10)).check(Check.positive())
            .doc("How long after its first publish an id is remembered (expire after write). Must exceed"
                    + " `router.kafka.delivery-timeout`.");
    public static final Key<Boolean> DEDUP_FOLLOW_LOG = S.define("router.dedup.follow-log", BOOLEAN)
            .byDefault(true)
            .doc("Also remember the ids every other router stored: follow the room log (each partition, from"
                    + " `router.dedup.ttl` ago) and add each record's (sender, id) to the dedup memory, so that a retry"
                    + " reaching a new owner (router death, breaker, router set change) or another router's public"
                    + " API is answered `duplicate` instead of stored twice. Costs one read of the whole room topic per"
                    + " router, and `router.dedup.max-entries` then counts the whole cluster's publishes. `false`:"
                    + " only this router's own publishes are remembered.");
    public static final Key<Duration> DEDUP_FOLLOW_LOG_FETCH_WAIT = S.define("router.dedup.follow-log-fetch-wait",
                    DURATION)
            .byDefault(Duration.ZERO).check(Check.between(Duration.ZERO, Duration.ofMillis(100)))
            .doc("With `router.dedup.follow-log`: `PT0S` has the broker answer the room-log index's fetch as soon as"
                    + " a record is there (a fetch round trip per record at a few hundred publishes a second); above"
                    + " it, the broker waits up to this long for 64 KiB, so the index reads in batches. Only a publish"
                    + " that takes over another router's lane waits for the index, about twice this longer. The"
                    + " single-process launcher sets `PT0.02S` (with fewer partitions it cut the platform's allocation"
                    + " by a quarter; CPU and latency moved within the spread: performance.md, Round 14); the tier's own"
                    + " default stays `PT0S` until measured on a deployment of separate tiers.");
    public static final Key<Duration> STARTUP_TIMEOUT = S.define("router.startup-timeout", DURATION)
            .byDefault(Duration.ofSeconds(30)).check(Check.positive())
            .doc("How long startup waits for Kafka (topic creation, description, producer metadata) and, with"
                    + " `router.dedup.follow-log`, for the room-log index to read the last `router.dedup.ttl` of the log,"
                    + " before failing. The router serves only after both.");
    public static final Key<Duration> SHUTDOWN_GRACE = S.define("router.shutdown-grace", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.nonNegative())
            .doc("On SIGTERM / `close()`: how long in-flight publishes may take to get Kafka's acknowledgement"
                    + " before the producer is closed and the rest answered `UNAVAILABLE`.");
    public static final Key<Duration> DELIVERY_TIMEOUT = S.define("router.kafka.delivery-timeout", DURATION)
            .byDefault(Duration.ofSeconds(30)).check(Check.positiveAtMost(Duration.ofMillis(Integer.MAX_VALUE)))
            .doc("Producer `delivery.timeout.ms`: how long Kafka may take to acknowledge before the publish fails"
                    + " with `UNAVAILABLE`. `request.timeout.ms` is lowered to fit when needed.");
    public static final Key<Duration> LINGER = S.define("router.kafka.linger", DURATION)
            .byDefault(Duration.ofMillis(2)).check(Check.between(Duration.ZERO, Duration.ofSeconds(1)))
            .doc("Producer `linger.ms`: batching delay. It is most of the publish-to-deliver median: `PT0S` lowers it by about"
                    + " 2 ms for 25-30 % more CPU per publish (docs/performance.md, round 5).");
    public static final Key<Duration> MAX_BLOCK = S.define("router.kafka.max-block", DURATION)
            .byDefault(Duration.ofSeconds(1)).check(Check.positiveAtMost(Duration.ofMillis(Integer.MAX_VALUE)))
            .doc("Producer `max.block.ms`: the longest a send may block a gRPC thread (metadata missing or send"
                    + " buffer full).");
    public static final Key<List<String>> PRESENCE_ADDRESS = S.define("router.presence.address",
                    ValueType.listOf(HOST_PORT))
            .check(Check.of(l -> new HashSet<>(l).size() == l.size(), "no duplicates"))
            .doc("`host:port` of the presence service (gRPC; TLS per `router.grpc-client.tls.*`), or a comma-separated"
                    + " list of the instances of a sharded presence (`presence.shards.enabled`): lookups and the public"
                    + " API's presence calls go to the instance that answered last and fail over to the next on"
                    + " `UNAVAILABLE`. Unset: `SendToUser`, and `SendControl`"
                    + " disconnects without `gateway_ids`, answer `UNAVAILABLE \"presence not configured\"`, and the"
                    + " router does not follow the presence topic.");
    public static final Key<Duration> PRESENCE_TIMEOUT = S.define("router.presence.timeout", DURATION)
            .byDefault(Duration.ofSeconds(2)).check(Check.positive())
            .doc("Deadline of one `UserPresence` lookup; a shorter deadline of the calling RPC wins. A failed lookup"
                    + " answers `UNAVAILABLE \"presence lookup failed: ...\"` and is not cached.");
    public static final Key<Duration> PRESENCE_CACHE_TTL = S.define("router.presence.cache-ttl", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.positive())
            .doc("How long a looked-up user presence is reused (expire after write). A record of the user on the"
                    + " presence topic drops it earlier; the TTL only bounds staleness when such a record is missed.");
    public static final Key<Long> PRESENCE_CACHE_MAX_ENTRIES = S.define("router.presence.cache-max-entries", LONG)
            .byDefault(100_000L).check(Check.positiveNumber())
            .doc("Users whose presence the lookup cache holds.");
    public static final Key<Duration> EPHEMERAL_MIN_INTERVAL = S.define("router.ephemeral.min-interval", DURATION)
            .byDefault(Duration.ofSeconds(1)).check(Check.nonNegative())
            .doc("At most one ephemeral event per (user, room, kind) per interval; more are answered"
                    + " `accepted=false` and dropped. Stop events always pass and reopen the window. `PT0S` turns"
                    + " throttling off.");
    public static final Key<Duration> EPHEMERAL_TTL = S.define("router.ephemeral.ttl", DURATION)
            .byDefault(Duration.ofSeconds(6)).check(Check.positiveAtMost(MAX_EPHEMERAL_TTL))
            .doc("`ttl_ms` written into every ephemeral record (how long clients show the hint).");
    public static final Key<List<String>> HISTORY_ADDRESS = S.define("router.history.address",
                    ValueType.listOf(HOST_PORT))
            .check(Check.<List<String>>of(l -> !l.isEmpty(), "at least one host:port")
                    .and(Check.of(l -> new HashSet<>(l).size() == l.size(), "no duplicates")))
            .doc("History service replicas (`host:port`, one or a list), used only by the public API's"
                    + " `ReadHistory` (unset: it answers `UNAVAILABLE`). Balanced, health-checked and retried on"
                    + " another replica as `gateway.history.address` describes"
                    + " (`switchboard_router_history_retries_total`).");

    /** {@code router.grpc.tls.*}: TLS of the gRPC port; the public API stays open to callers without a certificate. */
    public static final ServerTlsKeys GRPC_TLS = ServerTlsKeys.define(S, "router.grpc.tls",
            "`RouterService` calls (the gateways')");
    /** {@code router.grpc-client.tls.*}: TLS of the channels to presence and history. */
    public static final ClientTlsKeys GRPC_CLIENT_TLS = ClientTlsKeys.define(S, "router.grpc-client.tls",
            "the presence service (`router.presence.address`) and the history service (`router.history.address`)");

    /** {@code router.tracing.*} and {@code router.log-format}: OpenTelemetry tracing and the log line format. */
    public static final TelemetryKeys TELEMETRY = TelemetryKeys.define(S, "router");

    public static final KeySection SECTION = S
            .rules(GRPC_TLS.rules())
            .rules(GRPC_CLIENT_TLS.rules())
            .rule(Rule.above(DELIVERY_TIMEOUT, LINGER))
            // A remembered id must outlive its own send, or a retry during a slow send would publish twice.
            .rule(Rule.above(DEDUP_TTL, DELIVERY_TIMEOUT))
            .build();

    /** The {@code kafka.producer.*} passthrough section. */
    public static final String PRODUCER = "kafka.producer";

    /** Every key the router reads. */
    public static final KeyCatalogue CATALOGUE = KeyCatalogue.builder("router")
            .section(SECTION)
            .section(ApiKeys.SECTION)
            .shared(KafkaKeys.BOOTSTRAP_SERVERS, KafkaKeys.TOPIC_NAME, KafkaKeys.TOPIC_PARTITIONS,
                    KafkaKeys.TOPIC_REPLICATION_FACTOR, KafkaKeys.TOPIC_MIN_INSYNC_REPLICAS, KafkaKeys.TOPIC_CREATE,
                    KafkaKeys.EPHEMERAL_TOPIC_NAME, KafkaKeys.CONTROL_TOPIC_NAME, KafkaKeys.CONTROL_TOPIC_PARTITIONS,
                    KafkaKeys.PRESENCE_TOPIC_NAME)
            .passthrough(PRODUCER, ownedProducerProperties(),
                    // More than 5 would let the idempotent producer reorder a room's records on retry.
                    Map.of("max.in.flight.requests.per.connection", Check.matches("[1-5]", "1-5")),
                    "Extra Kafka producer properties of the router, verbatim (e.g. `kafka.producer.compression.type:"
                            + " lz4`). `security.*`, `sasl.*` and `ssl.*` also go to the startup admin client. The"
                            + " producer always runs with `enable.idempotence=true`, `acks=all` and at most 5"
                            + " requests in flight, so a room's records keep their order across retries.")
            .rule(KafkaKeys.MIN_INSYNC_WITHIN_REPLICATION)
            // The topics the router writes must be distinct: their consumers parse different messages.
            .rule(KafkaKeys.distinctTopics(List.of(KafkaKeys.TOPIC_NAME, KafkaKeys.EPHEMERAL_TOPIC_NAME,
                    KafkaKeys.CONTROL_TOPIC_NAME, KafkaKeys.PRESENCE_TOPIC_NAME)))
            .checkRoot("kafka", KafkaKeys::isKnown)
            .build();

    private RouterKeys() {
    }

    /**
     * Producer properties the router owns: its delivery guarantees (idempotence, acks), the room-to-partition
     * mapping every consumer relies on (partitioner, key handling) or typed keys of their own.
     */
    private static Map<String, String> ownedProducerProperties() {
        Map<String, String> owned = new LinkedHashMap<>();
        owned.put("bootstrap.servers", "set kafka.bootstrap-servers");
        owned.put("key.serializer", "the router writes room names as keys");
        owned.put("value.serializer", "the router writes envelopes as values");
        owned.put("enable.idempotence", "the router requires the idempotent producer");
        owned.put("acks", "the router requires acks=all");
        owned.put("transactional.id", "the router does not use transactions");
        owned.put("partitioner.class", "rooms map to partitions by the default key hash");
        owned.put("partitioner.ignore.keys", "rooms map to partitions by the default key hash");
        owned.put("delivery.timeout.ms", "set router.kafka.delivery-timeout");
        owned.put("linger.ms", "set router.kafka.linger");
        owned.put("max.block.ms", "set router.kafka.max-block");
        return owned;
    }
}
