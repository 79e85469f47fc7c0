package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.Subscribed;
import org.junit.jupiter.api.Test;

class RoomTrackerTest {
    private static Subscribed subscribed(String epoch, long next, int replayed) {
        return Subscribed.newBuilder().setRoom("r").setEpoch(epoch).setNextPosition(next).setReplayed(replayed).build();
    }

    private static Message message(String epoch, long position) {
        return Message.newBuilder().setRoom("r").setEpoch(epoch).setPosition(position).setId("m" + position).build();
    }

    /** A tracker subscribed to epoch t:0 from {@code next} (nothing replayed) that then processed {@code positions}. */
    private static RoomTracker subscribedFrom(long next, long... positions) {
        RoomTracker tracker = new RoomTracker();
        tracker.onSubscribed(subscribed("t:0", next, 0));
        for (long position : positions) {
            tracker.onProcessed(message("t:0", position));
        }
        return tracker;
    }

    @Test
    void unknownUntilSubscribedOrAMessage() {
        assertThat(new RoomTracker().resumeFrom()).isEmpty();
    }

    @Test
    void aQuietRoomResumesFromWhereTheSubscriptionBegan() {
        RoomTracker tracker = subscribedFrom(40);
        assertThat(tracker.resumeFrom()).contains(ResumeFrom.newBuilder().setNextPosition(40).setEpoch("t:0").build());
    }

    @Test
    void advancesPastEachProcessedMessage() {
        RoomTracker tracker = subscribedFrom(40, 42, 47);
        assertThat(tracker.nextPosition()).isEqualTo(48);
        assertThat(tracker.alreadyProcessed(message("t:0", 47))).isTrue();
        assertThat(tracker.alreadyProcessed(message("t:0", 48))).isFalse();
    }

    @Test
    void doesNotAdoptNextPositionWhileMessagesAreReplayed() {
        RoomTracker tracker = subscribedFrom(10, 12);
        // Resumed from 13: two replayed messages follow; nextPosition 50 is past them.
        tracker.onSubscribed(subscribed("t:0", 50, 2));
        assertThat(tracker.nextPosition()).isEqualTo(13);
        tracker.onProcessed(message("t:0", 20));
        assertThat(tracker.nextPosition()).isEqualTo(21);
    }

    @Test
    void neverMovesBackward() {
        RoomTracker tracker = subscribedFrom(10, 30);
        tracker.onSubscribed(subscribed("t:0", 20, 0));
        assertThat(tracker.nextPosition()).isEqualTo(31);
    }

    @Test
    void anotherEpochStartsAfresh() {
        RoomTracker tracker = new RoomTracker();
        tracker.onProcessed(message("t:0", 30));
        tracker.onSubscribed(subscribed("u:3", 5, 0));
        assertThat(tracker.resumeFrom()).contains(ResumeFrom.newBuilder().setNextPosition(5).setEpoch("u:3").build());
        assertThat(tracker.alreadyProcessed(message("u:3", 6))).isFalse();
    }
}
