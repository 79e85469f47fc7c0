package io.switchboard.presence.shards;

import static io.switchboard.presence.state.Changes.closed;
import static io.switchboard.presence.state.Changes.connection;
import static io.switchboard.presence.state.Changes.report;
import static io.switchboard.presence.state.Changes.sync;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.presence.kafka.PresenceSink;
import io.switchboard.presence.state.MemberListReplica;
import io.switchboard.presence.state.PresenceState;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.proto.internal.v1.ReportRequest;
import io.switchboard.proto.internal.v1.SyncRequest;
import io.switchboard.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Two presence instances fed the same gateway reports, each writing only its shards' records to one shared topic:
 * what a client keeping a member list by the protocol's rule sees when the owner of its room dies and the other
 * instance takes the shard over. The clock and ticker are injected; nothing sleeps.
 */
class ShardHandoverTest {
    private static final Duration LEASE = Duration.ofSeconds(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    /** The presence topic both instances write to, in write order. */
    private final List<PresenceRecord> topic = new ArrayList<>();
    private final Instance a = new Instance();
    private final Instance b = new Instance();

    /** One instance: its model, the keys it owns and its owner filter in front of the shared topic. */
    private final class Instance {
        final PresenceState state = new PresenceState(clock, LEASE, 100, 50);
        final Set<String> owned = ConcurrentHashMap.newKeySet();
        final OwnedRecords records = new OwnedRecords(owned::contains, new PresenceSink() {
            @Override
            public void write(PresenceRecord record) {
                topic.add(record);
            }

            @Override
            public void close() {
            }
        }, Duration.ofMinutes(1), () -> clock.instant().toEpochMilli() * 1_000_000);

        void flush() {
            state.drainDeltas().forEach(records::write);
        }

        void take(String... keys) {
            owned.addAll(List.of(keys));
            records.taken(Set.of(keys)::contains, state);
        }
    }

    private void sendToBoth(SyncRequest sync) {
        a.state.sync(sync);
        b.state.sync(sync);
    }

    private void sendToBoth(ReportRequest report) {
        a.state.report(report);
        b.state.report(report);
    }

    /** Reads a page from {@code owner} whenever the replica asks, and feeds it the topic's room events from {@code from}. */
    private static int follow(MemberListReplica replica, String room, Instance owner, List<PresenceRecord> records,
                              int from) {
        for (int i = from; i < records.size(); i++) {
            PresenceRecord r = records.get(i);
            if (r.hasRoom() && r.getRoom().getRoom().equals(room)) {
                replica.event(r.getRoom());
            }
            if (replica.readNeeded()) {
                replica.readStarted();
                replica.page(owner.state.roomMembers(room, "", 100));
            }
        }
        return records.size();
    }

    private static List<String> ids(MemberListReplica replica) {
        return replica.members().stream().map(Member::getUserId).toList();
    }

    @Test
    void onlyTheOwnersRecordsReachTheTopic() {
        a.take("chat", "ann");
        b.take("news", "ben");
        sendToBoth(sync("g1", "i1", 0, connection("s1", "ann", "chat", "news"), connection("s2", "ben", "chat")));

        a.flush();
        b.flush();

        assertThat(topic).extracting(r -> r.hasRoom() ? "room:" + r.getRoom().getRoom() : "user:" + r.getUser().getUserId())
                .containsExactlyInAnyOrder("room:chat", "user:ann", "room:news", "user:ben");
        assertThat(topic).filteredOn(PresenceRecord::hasRoom).extracting(r -> r.getRoom().getEpoch())
                .containsExactlyInAnyOrder(a.state.epoch(), b.state.epoch());
    }

    @Test
    void afterTheOwnerDiesTheNewOwnerBringsEveryListBackWithoutGhosts() {
        a.take("chat", "solo", "ann", "ben", "cat");
        sendToBoth(sync("g1", "i1", 0, connection("s1", "ann", "chat"), connection("s2", "ben", "chat"),
                connection("s3", "cat", "solo")));
        a.flush();
        b.flush();
        MemberListReplica chat = new MemberListReplica();
        MemberListReplica solo = new MemberListReplica();
        int seenChat = follow(chat, "chat", a, topic, 0);
        int seenSolo = follow(solo, "solo", a, topic, 0);
        assertThat(ids(chat)).containsExactly("ann", "ben");
        assertThat(ids(solo)).containsExactly("cat");

        // a dies; before its shards move, ben and cat leave (a room empties): b computes the records but drops them.
        sendToBoth(report("g1", "i1", 1, closed("s2"), closed("s3")));
        int beforeTakeover = topic.size();
        b.flush();
        assertThat(topic).hasSize(beforeTakeover);

        // b takes the dead instance's shards over: a record for every room and user of them, in b's epoch.
        b.take("chat", "solo", "ann", "ben", "cat");
        b.flush();
        assertThat(topic.subList(beforeTakeover, topic.size())).filteredOn(PresenceRecord::hasUser)
                .extracting(r -> r.getUser().getUserId() + "=" + r.getUser().getStatus())
                .contains("ben=" + PresenceStatus.OFFLINE, "cat=" + PresenceStatus.OFFLINE);

        follow(chat, "chat", b, topic, seenChat);
        follow(solo, "solo", b, topic, seenSolo);
        assertThat(ids(chat)).containsExactly("ann");
        assertThat(ids(solo)).isEmpty();

        // Later changes continue b's chain: applied without another read.
        int reads = chat.reads();
        int seen = topic.size();
        sendToBoth(sync("g2", "i1", 0, connection("s4", "dan", "chat")));
        b.flush();
        follow(chat, "chat", b, topic, seen);
        assertThat(ids(chat)).containsExactly("ann", "dan");
        assertThat(chat.reads()).isEqualTo(reads);
    }

    @Test
    void aShardTakenBackFromANewOwnerStaysConsistent() {
        a.take("chat");
        sendToBoth(sync("g1", "i1", 0, connection("s1", "ann", "chat")));
        a.flush();
        b.flush();
        MemberListReplica chat = new MemberListReplica();
        int seen = follow(chat, "chat", a, topic, 0);

        // The shard moves to b and back to a (a rebalance and another), with changes under each owner.
        a.owned.remove("chat");
        b.take("chat");
        sendToBoth(sync("g2", "i1", 0, connection("s2", "ben", "chat")));
        a.flush();
        b.flush();
        seen = follow(chat, "chat", b, topic, seen);
        assertThat(ids(chat)).containsExactly("ann", "ben");

        b.owned.remove("chat");
        a.take("chat");
        sendToBoth(report("g1", "i1", 1, closed("s1")));
        a.flush();
        b.flush();
        follow(chat, "chat", a, topic, seen);
        assertThat(ids(chat)).containsExactly("ben");
    }
}
