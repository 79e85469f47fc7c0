package io.switchboard.service;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.INT;
import static io.switchboard.service.config.ValueType.STRING;

import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import io.switchboard.service.config.Rule;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The shared {@code kafka.*} keys: every tier that reads one of them reads it the same way, so each is defined once
 * here and a tier's catalogue lists the ones it reads ({@link io.switchboard.service.config.KeyCatalogue.Builder#shared}).
 * The {@code kafka.producer.*} and {@code kafka.consumer.*} passthrough sections belong to the tiers, which own
 * different properties. Stateless, hence thread-safe.
 */
public final class KafkaKeys {
    private static final KeySection.Builder S = KeySection.builder("Kafka (`kafka.*`, shared)");
    private static final Check<String> TOPIC = Check.matches("[a-zA-Z0-9._-]{1,249}", "1-249 of [a-zA-Z0-9._-]")
            .and(Check.of(s -> !s.equals(".") && !s.equals(".."), "not . or .."));

    public static final Key<String> BOOTSTRAP_SERVERS = S.define("kafka.bootstrap-servers", STRING)
            .byDefault("127.0.0.1:9092")
            .doc("Kafka bootstrap servers, `host:port[,host:port...]`.");
    public static final Key<String> TOPIC_NAME = S.define("kafka.topic.name", STRING)
            .byDefault("switchboard.rooms").check(TOPIC)
            .doc("The rooms topic (the room log; key: room, value: `Envelope`). Created by the router; gateways"
                    + " read it from the end for fan-out (it must exist: they wait up to `gateway.startup-timeout`"
                    + " for it), the history service reads all of it. Every service must name the same topic.");
    public static final Key<Integer> TOPIC_PARTITIONS = S.define("kafka.topic.partitions", INT)
            .byDefault(12).check(Check.positiveNumber())
            .doc("Partitions when the router creates the rooms topic (the ephemeral topic gets as many). An"
                    + " existing topic is used as it is (a differing count is logged).");
    public static final Key<Integer> TOPIC_REPLICATION_FACTOR = S.define("kafka.topic.replication-factor", INT)
            .byDefault(1).check(Check.between(1, Short.MAX_VALUE))
            .doc("Replication factor of every topic a tier creates: the rooms, ephemeral and control topics (router)"
                    + " and the presence topic (presence service).");
    public static final Key<Integer> TOPIC_MIN_INSYNC_REPLICAS = S.define("kafka.topic.min-insync-replicas", INT)
            .unsetMeans("unset (broker default)").check(Check.positiveNumber())
            .doc("`min.insync.replicas` set on every topic a tier creates; at most the replication factor.");
    public static final Key<Boolean> TOPIC_CREATE = S.define("kafka.topic.create", BOOLEAN)
            .byDefault(true)
            .doc("Create the topics at startup if absent (\"already exists\" is fine). With `false`, a missing rooms"
                    + " topic fails the router's startup and the presence service assumes its topic exists.");
    public static final Key<String> EPHEMERAL_TOPIC_NAME = S.define("kafka.ephemeral-topic.name", STRING)
            .byDefault("switchboard.ephemeral").check(TOPIC)
            .doc("Topic of ephemeral events (typing), keyed by room. Created by the router (if `kafka.topic.create`)"
                    + " with as many partitions as the rooms topic and `retention.ms` 60000; gateways read it from"
                    + " the end.");
    public static final Key<String> CONTROL_TOPIC_NAME = S.define("kafka.control-topic.name", STRING)
            .byDefault("switchboard.control").check(TOPIC)
            .doc("Topic of control records (direct-message deliveries, disconnects, room closes), keyed by user id or"
                    + " room. Created by the router like the ephemeral topic, `retention.ms` 3600000; gateways read"
                    + " it from the end.");
    public static final Key<Integer> CONTROL_TOPIC_PARTITIONS = S.define("kafka.control-topic.partitions", INT)
            .byDefault(4).check(Check.positiveNumber())
            .doc("Partitions when the router creates the control topic.");
    public static final Key<String> PRESENCE_TOPIC_NAME = S.define("kafka.presence-topic.name", STRING)
            .byDefault("switchboard.presence").check(TOPIC)
            .doc("The presence service's topic (keys `room:<room>` / `user:<user id>`, values `PresenceRecord`)."
                    + " Gateways forward its room records; routers with `router.presence.address` set follow it from"
                    + " the end (no consumer group; until the topic exists they retry with a backoff of up to 5 s)"
                    + " and drop their cached lookup of the user of every user record.");
    public static final Key<Integer> PRESENCE_TOPIC_PARTITIONS = S.define("kafka.presence-topic.partitions", INT)
            .byDefault(4).check(Check.between(1, 10_000))
            .doc("Partitions when the presence service creates its topic (`retention.ms` 600000). An existing topic"
                    + " is used as it is.");

    /** The shared section, for the key tables. */
    public static final KeySection SECTION = S.build();

    /** {@code kafka.topic.min-insync-replicas <= kafka.topic.replication-factor}. */
    public static final Rule MIN_INSYNC_WITHIN_REPLICATION = Rule.of(TOPIC_MIN_INSYNC_REPLICAS,
            s -> s.find(TOPIC_MIN_INSYNC_REPLICAS).map(min -> min <= s.get(TOPIC_REPLICATION_FACTOR)).orElse(true),
            s -> "<= kafka.topic.replication-factor " + s.get(TOPIC_REPLICATION_FACTOR));

    private static final Set<String> NAMES = SECTION.keys().stream().map(Key::name).collect(Collectors.toSet());

    private KafkaKeys() {
    }

    /** The topics a tier names must differ: their consumers parse different messages. */
    public static Rule distinctTopics(List<Key<String>> keys) {
        return Rule.of("kafka.*-topic.name", s -> keys.stream().map(s::get).toList(),
                s -> keys.stream().map(s::get).distinct().count() == keys.size(), s -> "distinct names");
    }

    /**
     * Whether {@code fullKey} is a shared Kafka key or a passthrough property, for the unknown-key report under
     * {@code kafka}.
     */
    public static boolean isKnown(String fullKey) {
        return NAMES.contains(fullKey) || fullKey.startsWith("kafka.producer.") || fullKey.startsWith("kafka.consumer.");
    }
}
