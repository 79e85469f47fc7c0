package io.switchboard.history.store;

import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Position;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour every {@link MessageStore} implementation must have. An implementation's test extends this
 * class and says how to open (and reopen) its store.
 */
public abstract class MessageStoreContract {
    protected MessageStore store;

    /** Opens a fresh, empty store. */
    protected abstract MessageStore openFresh();

    /** Closes {@code current} and opens the same store again (its content must survive). */
    protected abstract MessageStore reopen(MessageStore current);

    @BeforeEach
    void open() {
        store = openFresh();
        store.reset("topic-1");
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected static StoredMessage message(String room, int partition, long offset, long storedTime) {
        Envelope envelope = Envelope.newBuilder().setId("m-" + offset).setRoom(room)
                .setPosition(Position.newBuilder().setEpoch("topic-1:" + partition).setOffset(offset)).build();
        return new StoredMessage(room, partition, offset, storedTime, envelope);
    }

    /** Appends messages of {@code room} at {@code offsets} in partition 0, stored at time = offset. */
    protected void append(String room, long... offsets) {
        List<StoredMessage> batch = new ArrayList<>();
        long last = -1;
        for (long o : offsets) {
            batch.add(message(room, 0, o, o));
            last = Math.max(last, o);
        }
        store.append(batch, Map.of(0, last + 1));
    }

    private static List<Long> offsets(Page page) {
        return page.messages().stream().map(StoredMessage::offset).toList();
    }

    @Test
    void topicIdIsRecordedAndResetWipes() {
        append("chat:a", 0, 1);
        assertThat(store.topicId()).contains("topic-1");
        store.reset("topic-2");
        assertThat(store.topicId()).contains("topic-2");
        assertThat(store.room("chat:a")).isEmpty();
        assertThat(store.progress()).isEmpty();
        assertThat(store.rooms()).isEmpty();
    }

    @Test
    void latestBeforeAndAfterPageInAscendingOrder() {
        append("chat:a", 0, 2, 4, 6, 8);
        append("chat:ab", 9); // a room whose name extends another's must not leak into it
        append("chat", 10);

        assertThat(offsets(store.latest("chat:a", 2))).containsExactly(6L, 8L);
        assertThat(store.latest("chat:a", 2).hasMore()).isTrue();
        assertThat(store.latest("chat:a", 5).hasMore()).isFalse();

        Page before = store.before("chat:a", 6, 2);
        assertThat(offsets(before)).containsExactly(2L, 4L);
        assertThat(before.hasMore()).isTrue();
        assertThat(store.before("chat:a", 2, 2).hasMore()).isFalse();
        assertThat(offsets(store.before("chat:a", 0, 2))).isEmpty();

        Page after = store.after("chat:a", 2, OptionalLong.empty(), 2);
        assertThat(offsets(after)).containsExactly(4L, 6L);
        assertThat(after.hasMore()).isTrue();
        assertThat(store.after("chat:a", 4, OptionalLong.empty(), 2).hasMore()).isFalse();
        Page bounded = store.after("chat:a", 2, OptionalLong.of(6), 5);
        assertThat(offsets(bounded)).containsExactly(4L);
        assertThat(bounded.hasMore()).isFalse();
        assertThat(store.after("chat:a", 0, OptionalLong.of(8), 2).hasMore()).isTrue();
        assertThat(store.count("chat:a", 2, OptionalLong.empty())).as("4, 6, 8").isEqualTo(3);
        assertThat(store.count("chat:a", -1, OptionalLong.of(8))).as("0, 2, 4, 6").isEqualTo(4);
        assertThat(store.count("chat:a", 8, OptionalLong.empty())).isZero();
        assertThat(store.count("chat:ab", -1, OptionalLong.empty())).as("not chat:a's").isEqualTo(1);
        assertThat(store.latest("chat:a", 1).messages().getFirst().envelope().getId()).isEqualTo("m-8");
    }

    @Test
    void roomInfoAndProgressFollowAppends() {
        store.append(List.of(message("chat:a", 3, 5, 1), message("chat:a", 3, 6, 1)), Map.of(3, 7L, 4, 10L));
        RoomInfo info = store.room("chat:a").orElseThrow();
        assertThat(info.partition()).isEqualTo(3);
        assertThat(info.count()).isEqualTo(2);
        assertThat(info.oldest()).hasValue(5);
        assertThat(info.deletedUpTo()).isEmpty();
        assertThat(store.progress()).containsEntry(3, new PartitionProgress(7, 5))
                .containsEntry(4, new PartitionProgress(10, 10));
        assertThat(store.room("chat:none")).isEmpty();
    }

    @Test
    void replayingAnAppendChangesNothing() {
        append("chat:a", 0, 1, 2);
        append("chat:a", 1, 2);
        assertThat(store.room("chat:a").orElseThrow().count()).isEqualTo(3);
        assertThat(offsets(store.latest("chat:a", 10))).containsExactly(0L, 1L, 2L);
        assertThat(store.progress().get(0)).isEqualTo(new PartitionProgress(3, 0));
    }

    @Test
    void retentionByCountKeepsTheNewestAndRecordsTheWatermark() {
        append("chat:a", 0, 1, 2, 3, 4);
        assertThat(store.deleteExpired("chat:a", 0, 2)).isEqualTo(3);
        RoomInfo info = store.room("chat:a").orElseThrow();
        assertThat(info.count()).isEqualTo(2);
        assertThat(info.oldest()).hasValue(3);
        assertThat(info.deletedUpTo()).hasValue(2);
        assertThat(offsets(store.latest("chat:a", 10))).containsExactly(3L, 4L);
        assertThat(store.deleteExpired("chat:a", 0, 2)).isZero();
    }

    @Test
    void retentionByAgeDeletesOlderThanTheCutoff() {
        append("chat:a", 10, 20, 30);
        assertThat(store.deleteExpired("chat:a", 25, 100)).isEqualTo(2);
        assertThat(offsets(store.latest("chat:a", 10))).containsExactly(30L);
        assertThat(store.room("chat:a").orElseThrow().deletedUpTo()).hasValue(20);
        assertThat(store.deleteExpired("chat:a", 1000, 100)).isEqualTo(1);
        RoomInfo empty = store.room("chat:a").orElseThrow();
        assertThat(empty.count()).isZero();
        assertThat(empty.oldest()).isEmpty();
        assertThat(empty.deletedUpTo()).hasValue(30);
    }

    @Test
    void contentSurvivesReopen() {
        append("chat:a", 0, 1, 2);
        store.deleteExpired("chat:a", 0, 2);
        store = reopen(store);
        assertThat(store.topicId()).contains("topic-1");
        assertThat(offsets(store.latest("chat:a", 10))).containsExactly(1L, 2L);
        assertThat(store.room("chat:a").orElseThrow().deletedUpTo()).hasValue(0);
        assertThat(store.progress().get(0)).isEqualTo(new PartitionProgress(3, 0));
        append("chat:a", 2, 3);
        assertThat(store.room("chat:a").orElseThrow().count()).isEqualTo(3);
    }
}
