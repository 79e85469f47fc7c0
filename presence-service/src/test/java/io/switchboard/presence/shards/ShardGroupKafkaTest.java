package io.switchboard.presence.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.kafka.embedded.EmbeddedKafkaExtension;
import io.switchboard.presence.kafka.PresenceTopic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shard ownership decided by a real Kafka consumer group on an embedded broker. */
class ShardGroupKafkaTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final int SHARDS = 4;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final List<ShardGroup> groups = new ArrayList<>();

    @AfterEach
    void closeAll() {
        groups.forEach(ShardGroup::close);
    }

    private ShardGroup join(String topic, String group, List<Predicate<String>> taken) {
        Properties props = new Properties();
        props.put("bootstrap.servers", KAFKA.bootstrapServers());
        ShardGroup member = new ShardGroup(props, topic, group, Duration.ofSeconds(6), Duration.ZERO, taken::add);
        groups.add(member);
        member.start();
        return member;
    }

    private static String topic() {
        String name = "presence-shards-" + UUID.randomUUID();
        Properties admin = new Properties();
        admin.put("bootstrap.servers", KAFKA.bootstrapServers());
        new PresenceTopic(name, SHARDS, (short) 1, OptionalInt.empty(), true).ensure(admin, Duration.ofSeconds(30));
        return name;
    }

    @Test
    void liveInstancesSplitTheShardsAndTheSurvivorTakesAStoppedOnesOver() {
        String topic = topic();
        List<Predicate<String>> takenByFirst = new CopyOnWriteArrayList<>();
        ShardGroup first = join(topic, "g-" + topic, takenByFirst);
        ShardGroup second = join(topic, "g-" + topic, new CopyOnWriteArrayList<>());

        Set<Integer> all = Set.copyOf(IntStream.range(0, SHARDS).boxed().toList());
        await().atMost(WAIT).untilAsserted(() -> {
            // One snapshot of each, both checked non-empty first: while the group rebalances one member may own
            // nothing, and AssertJ refuses an empty iterable in doesNotContainAnyElementsOf with an
            // IllegalArgumentException, which Awaitility does not retry.
            Set<Integer> firsts = first.owned();
            Set<Integer> seconds = second.owned();
            assertThat(firsts).isNotEmpty();
            assertThat(seconds).isNotEmpty();
            assertThat(firsts).doesNotContainAnyElementsOf(seconds);
            Set<Integer> union = new HashSet<>(firsts);
            union.addAll(seconds);
            assertThat(union).isEqualTo(all);
        });
        Set<Integer> secondsShards = second.owned();
        String keyOfSecond = IntStream.range(0, 1000).mapToObj(i -> "room-" + i)
                .filter(k -> secondsShards.contains(new Shards(SHARDS).of(k))).findFirst().orElseThrow();
        assertThat(first.owns(keyOfSecond)).isFalse();
        assertThat(second.owns(keyOfSecond)).isTrue();

        second.close();

        await().atMost(WAIT).untilAsserted(() -> assertThat(first.owned()).isEqualTo(all));
        assertThat(first.owns(keyOfSecond)).isTrue();
        // The listener hears of a gained shard on the group thread after owns() already answers true for it (so
        // that what it announces is owned), so the survivor may own every shard a moment before it is told.
        await().atMost(WAIT).untilAsserted(() -> assertThat(takenByFirst).anyMatch(keys -> keys.test(keyOfSecond)));
        assertThat(second.owned()).isEmpty();
    }

    @Test
    void aSingleMemberOwnsEveryShard() {
        String topic = topic();
        ShardGroup only = join(topic, "g-" + topic, new CopyOnWriteArrayList<>());

        await().atMost(WAIT).untilAsserted(() -> assertThat(only.owned()).hasSize(SHARDS));
        assertThat(IntStream.range(0, 100).mapToObj(i -> "user-" + i)).allMatch(only::owns);
    }
}
