package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OfflineQueueTest {
    private static OfflineQueue.Entry entry(String id, int bytes) {
        return new OfflineQueue.Entry("room", id, new byte[bytes], null);
    }

    @Test
    void refusesPastTheMessageBound() {
        OfflineQueue queue = new OfflineQueue(2, 1000);
        OfflineQueue.Entry a = entry("a", 1);
        assertThat(queue.offer(a)).isTrue();
        assertThat(queue.offer(entry("b", 1))).isTrue();
        assertThat(queue.offer(entry("c", 1))).isFalse();
        queue.remove(a);
        assertThat(queue.offer(entry("c", 1))).isTrue();
        assertThat(queue.inOrder()).extracting(e -> e.id).containsExactly("b", "c");
    }

    @Test
    void refusesPastTheByteBoundAndFreesBytesOnRemove() {
        OfflineQueue queue = new OfflineQueue(100, 10);
        OfflineQueue.Entry a = entry("a", 6);
        assertThat(queue.offer(a)).isTrue();
        assertThat(queue.offer(entry("b", 5))).isFalse();
        assertThat(queue.offer(entry("c", 4))).isTrue();
        assertThat(queue.bytes()).isEqualTo(10);
        queue.remove(a);
        assertThat(queue.bytes()).isEqualTo(4);
        assertThat(queue.offer(entry("b", 5))).isTrue();
    }

    @Test
    void refusesAnIdAlreadyQueued() {
        OfflineQueue queue = new OfflineQueue(10, 100);
        assertThat(queue.offer(entry("a", 1))).isTrue();
        assertThat(queue.offer(entry("a", 1))).isFalse();
        assertThat(queue.size()).isEqualTo(1);
    }

    @Test
    void anIdIsTheSendersPerRoomOrPerTargetUserSoTheSameIdMayWaitInSeveralLanes() {
        OfflineQueue queue = new OfflineQueue(10, 100);
        assertThat(queue.offer(entry("a", 1))).isTrue();
        assertThat(queue.offer(new OfflineQueue.Entry("other", "a", new byte[1], null))).isTrue();
        OfflineQueue.Entry toBob = OfflineQueue.Entry.direct("bob", "a", new byte[1], null);
        assertThat(queue.offer(toBob)).isTrue();
        assertThat(queue.offer(OfflineQueue.Entry.direct("bob", "a", new byte[1], null))).isFalse();
        assertThat(queue.remove(OfflineQueue.Entry.direct("bob", "a", new byte[1], null))).as("another entry of that id").isNull();
        assertThat(queue.remove(toBob)).isSameAs(toBob);
        assertThat(queue.inOrder()).extracting(e -> e.lane).containsExactly(new OfflineQueue.Lane("room", null),
                new OfflineQueue.Lane("other", null));
    }
}
