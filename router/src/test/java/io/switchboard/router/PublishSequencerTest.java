package io.switchboard.router;

import io.switchboard.proto.internal.v1.PublishSequence;
import io.switchboard.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** A lane's publishes go through in their sender's order only; a gap or a failed append stops the lane. */
class PublishSequencerTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:04:05Z"));
    private final PublishSequencer sequencer = new PublishSequencer(InProcessRouter.ticker(clock));

    @Test
    void aNewLaneStartsAfterWhatItsSenderHasAcknowledgedAndGoesOnInTurn() {
        assertThat(sequencer.admit(seq("a", 4, 3))).isTrue();
        assertThat(sequencer.admit(seq("a", 5, 3))).isTrue();
        assertThat(sequencer.admit(seq("a", 6, 4))).isTrue();
        assertThat(sequencer.admit(seq("b", 1, 0))).as("another lane is independent").isTrue();
    }

    @Test
    void aPublishWhosePredecessorWasNotLetThroughIsRefusedAndSoAreTheLaterOnes() {
        // seq 1 never got here (refused before the sequencer, or lost on the way): 2 and 3 must not be stored.
        assertThat(sequencer.admit(seq("a", 2, 0))).isFalse();
        assertThat(sequencer.admit(seq("a", 3, 0))).isFalse();
        // A lane that failed over with its sender's acknowledgements behind: the first unacknowledged one only.
        assertThat(sequencer.admit(seq("f", 7, 5))).isFalse();
        assertThat(sequencer.admit(seq("f", 6, 5))).isTrue();
        assertThat(sequencer.admit(seq("f", 7, 5))).isTrue();
    }

    @Test
    void aKnownLaneMovesOnToTheFirstPublishItsSenderHasNoAcknowledgementFor() {
        // Seen first with nothing acknowledged (refused: 1 had gone to another router), then 1 and 2 were stored
        // there and acknowledged: 3 is in turn.
        assertThat(sequencer.admit(seq("a", 2, 0))).isFalse();
        assertThat(sequencer.admit(seq("a", 3, 2))).isTrue();
        assertThat(sequencer.admit(seq("a", 5, 3))).as("4 is not acknowledged and not here").isFalse();
        // A broken lane stays broken (its sender starts a new one).
        assertThat(sequencer.admit(seq("b", 1, 0))).isTrue();
        sequencer.broken(seq("b", 1, 0));
        assertThat(sequencer.admit(seq("b", 3, 2))).isFalse();
    }

    @Test
    void aRepeatOfAnEarlierSeqIsRefused() {
        assertThat(sequencer.admit(seq("a", 1, 0))).isTrue();
        assertThat(sequencer.admit(seq("a", 1, 0))).isFalse();
    }

    @Test
    void aDuplicateInTurnMovesTheLaneOnAndOneOutOfTurnChangesNothing() {
        sequencer.passed(seq("a", 1, 0));
        assertThat(sequencer.admit(seq("a", 2, 0))).isTrue();
        sequencer.passed(seq("a", 9, 0));
        assertThat(sequencer.admit(seq("a", 3, 0))).isTrue();
    }

    @Test
    void aLaneWhoseAppendFailedLetsNothingMoreThrough() {
        assertThat(sequencer.admit(seq("a", 1, 0))).isTrue();
        sequencer.broken(seq("a", 1, 0));
        assertThat(sequencer.admit(seq("a", 2, 0))).isFalse();
        assertThat(sequencer.admit(seq("a", 2, 1))).isFalse();
    }

    @Test
    void requestsWithoutALaneAlwaysGoThrough() {
        assertThat(sequencer.admit(PublishSequence.getDefaultInstance())).isTrue();
        assertThat(sequencer.admit(PublishSequence.getDefaultInstance())).isTrue();
        assertThat(sequencer.size()).isZero();
    }

    @Test
    void anIdleLaneIsForgottenAndThenFollowsItsSendersAcknowledgements() {
        assertThat(sequencer.admit(seq("a", 1, 0))).isTrue();
        assertThat(sequencer.admit(seq("a", 2, 1))).isTrue();
        clock.advance(PublishSequencer.LANE_IDLE.plus(Duration.ofSeconds(1)));
        // Remembered, seq 4 would be refused (3 is next); forgotten, the sender's acknowledgements decide.
        assertThat(sequencer.admit(seq("a", 4, 3))).isTrue();
        assertThat(sequencer.size()).isEqualTo(1);
    }

    private static PublishSequence seq(String lane, long seq, long storedThrough) {
        return PublishSequence.newBuilder().setLane(lane).setSeq(seq).setStoredThrough(storedThrough).build();
    }
}
