package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeduplicatorTest {
    @Test
    void seesEachKeyOnceAndTellsSendersAndRoomsApart() {
        Deduplicator dedup = new Deduplicator(100);
        assertThat(dedup.firstTime("r", "alice", "1")).isTrue();
        assertThat(dedup.firstTime("r", "alice", "1")).isFalse();
        assertThat(dedup.firstTime("r", "bob", "1")).isTrue();
        assertThat(dedup.firstTime("other", "alice", "1")).isTrue();
    }

    @Test
    void forgetsTheLeastRecentlySeenPastItsCapacity() {
        Deduplicator dedup = new Deduplicator(2);
        dedup.firstTime("r", "u", "1");
        dedup.firstTime("r", "u", "2");
        dedup.firstTime("r", "u", "1"); // touch 1: 2 is now the eldest
        dedup.firstTime("r", "u", "3");
        assertThat(dedup.size()).isEqualTo(2);
        assertThat(dedup.firstTime("r", "u", "1")).isFalse();
        assertThat(dedup.firstTime("r", "u", "2")).isTrue();
    }
}
