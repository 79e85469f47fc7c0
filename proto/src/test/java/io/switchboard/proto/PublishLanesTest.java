package io.switchboard.proto;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proto.internal.v1.PublishSequence;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Numbering per room in send order, acknowledgements counted only when contiguous, a new lane with the resend. */
class PublishLanesTest {
    private final AtomicLong nanos = new AtomicLong();
    private final PublishLanes lanes = new PublishLanes("session-1", nanos::get);
    private int ids;

    private PublishLanes.Ticket next(String room) {
        return lanes.next(room, "m-" + (++ids));
    }

    /** Publishes once to {@code room} and answers it with a retriable failure; returns the lane it failed in. */
    private String failedLane(String room) {
        PublishLanes.Ticket failed = next(room);
        lanes.answered(failed, PublishLanes.Outcome.RETRIABLE);
        return failed.sequence().getLane();
    }

    /** {@code sequence} starts a new lane: not {@code oldLane}, numbered from 1. */
    private static void assertNewLane(PublishSequence sequence, String oldLane) {
        assertThat(sequence.getLane()).isNotEqualTo(oldLane);
        assertThat(sequence.getSeq()).isEqualTo(1);
    }

    @Test
    void numbersEachRoomsPublishesInSendOrder() {
        PublishLanes.Ticket a1 = next("a");
        PublishLanes.Ticket b1 = next("b");
        PublishLanes.Ticket a2 = next("a");

        assertThat(a1.sequence().getSeq()).isEqualTo(1);
        assertThat(a2.sequence().getSeq()).isEqualTo(2);
        assertThat(a2.sequence().getLane()).isEqualTo(a1.sequence().getLane());
        assertThat(b1.sequence().getSeq()).isEqualTo(1);
        assertThat(b1.sequence().getLane()).isNotEqualTo(a1.sequence().getLane()).startsWith("session-1/");
    }

    @Test
    void storedThroughCountsOnlyAnUnbrokenRunOfAcknowledgements() {
        PublishLanes.Ticket first = next("a");
        PublishLanes.Ticket second = next("a");
        PublishLanes.Ticket third = next("a");
        assertThat(first.resend()).isFalse();

        lanes.answered(second, PublishLanes.Outcome.STORED);
        assertThat(third.sequence().getStoredThrough()).as("2 is acknowledged, 1 is not yet").isZero();
        lanes.answered(first, PublishLanes.Outcome.STORED);
        assertThat(third.sequence().getStoredThrough()).isEqualTo(2);
        lanes.answered(third, PublishLanes.Outcome.STORED);
        assertThat(next("a").sequence()).isEqualTo(PublishSequence.newBuilder()
                .setLane(first.sequence().getLane()).setSeq(4).setStoredThrough(3).build());
    }

    @Test
    void afterARetriableFailureTheSendersResendStartsTheNewLaneNotAnEarlierArrival() {
        PublishLanes.Ticket failed = lanes.next("a", "m-1");
        PublishLanes.Ticket later = lanes.next("a", "m-2");
        String lane = failed.sequence().getLane();

        lanes.answered(failed, PublishLanes.Outcome.RETRIABLE);
        lanes.answered(later, PublishLanes.Outcome.RETRIABLE);
        // Sent before the sender heard of the failures, arriving when nothing is in flight: still the failed lane,
        // so the router refuses it rather than storing it ahead of m-1's resend.
        PublishLanes.Ticket sentBeforeHearing = lanes.next("a", "m-3");
        assertThat(sentBeforeHearing.sequence().getLane()).isEqualTo(lane);
        assertThat(sentBeforeHearing.sequence().getSeq()).isEqualTo(3);
        lanes.answered(sentBeforeHearing, PublishLanes.Outcome.RETRIABLE);

        assertThat(sentBeforeHearing.resend()).isFalse();

        PublishLanes.Ticket resendTicket = lanes.next("a", "m-1");
        PublishSequence resend = resendTicket.sequence();
        assertThat(resendTicket.resend()).as("marked: another router may have stored m-1 after all").isTrue();
        assertNewLane(resend, lane);
        assertThat(resend.getStoredThrough()).isZero();
        PublishLanes.Ticket behind = lanes.next("a", "m-2");
        assertThat(behind.sequence()).as("the resends behind it follow in the new lane")
                .extracting(PublishSequence::getLane, PublishSequence::getSeq).containsExactly(resend.getLane(), 2L);
        assertThat(behind.resend()).as("m-2 failed in the old lane too").isTrue();
        assertThat(lanes.next("a", "m-4").resend()).isFalse();
    }

    @Test
    void aResendWhileAPublishOfTheFailedLaneIsStillInFlightStaysInTheFailedLane() {
        PublishLanes.Ticket failed = lanes.next("a", "m-1");
        PublishLanes.Ticket stillInFlight = lanes.next("a", "m-2");
        String lane = failed.sequence().getLane();
        lanes.answered(failed, PublishLanes.Outcome.RETRIABLE);

        // m-2 may yet be stored by another router, or fail and be resent: a new lane now could store the publishes
        // sent after the resend ahead of it. The resend is numbered in the failed lane, so the router refuses it.
        PublishLanes.Ticket earlyResend = lanes.next("a", "m-1");
        assertThat(earlyResend.sequence().getLane()).isEqualTo(lane);
        assertThat(earlyResend.sequence().getSeq()).isEqualTo(3);
        lanes.answered(earlyResend, PublishLanes.Outcome.RETRIABLE);
        lanes.answered(stillInFlight, PublishLanes.Outcome.RETRIABLE);

        PublishSequence resend = lanes.next("a", "m-1").sequence();
        assertThat(resend.getLane()).as("nothing of the failed lane in flight any more").isNotEqualTo(lane);
        assertThat(resend.getSeq()).isEqualTo(1);
    }

    @Test
    void aPublishRefusedBeforeItWasSentHoldsTheLaterOnesBackUntilItsResend() {
        PublishLanes.Ticket stored = next("a");
        lanes.answered(stored, PublishLanes.Outcome.STORED);

        lanes.refused("a", "m-refused");
        PublishLanes.Ticket laterTicket = next("a");
        PublishSequence later = laterTicket.sequence();
        assertThat(later.getLane()).isEqualTo(stored.sequence().getLane());
        assertThat(later.getSeq()).as("after the refused one's number: the router, at 2, refuses it").isEqualTo(3);
        lanes.answered(laterTicket, PublishLanes.Outcome.RETRIABLE);

        assertNewLane(lanes.next("a", "m-refused").sequence(), stored.sequence().getLane());
    }

    @Test
    void aSenderThatNeverResendsGetsANewLaneAfterTheResendWait() {
        String lane = failedLane("a");

        nanos.addAndGet(PublishLanes.RESEND_WAIT.toNanos() - 1);
        PublishLanes.Ticket stillFailed = next("a");
        assertThat(stillFailed.sequence().getLane()).isEqualTo(lane);
        lanes.answered(stillFailed, PublishLanes.Outcome.RETRIABLE);

        nanos.addAndGet(1);
        assertThat(next("a").sequence().getLane()).isNotEqualTo(lane);
    }

    @Test
    void aSenderThatKeepsPublishingWithoutResendingGetsANewLaneTheResendWaitAfterTheFirstFailure() {
        String lane = failedLane("a");

        // A publish every second, each refused because the failed one was never resent (a load generator, an app
        // that gives up on a failed publish): the refusals must not restart the wait.
        for (int second = 1; second < PublishLanes.RESEND_WAIT.toSeconds(); second++) {
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            PublishLanes.Ticket refused = next("a");
            assertThat(refused.sequence().getLane()).isEqualTo(lane);
            lanes.answered(refused, PublishLanes.Outcome.RETRIABLE);
        }

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertNewLane(next("a").sequence(), lane);
    }

    @Test
    void afterAFinalFailureTheLaneEndsOnceNothingOfItIsInFlight() {
        PublishLanes.Ticket refused = next("a");
        PublishLanes.Ticket later = next("a");
        String lane = refused.sequence().getLane();

        lanes.answered(refused, PublishLanes.Outcome.FINAL);
        PublishLanes.Ticket whileInFlight = next("a");
        assertThat(whileInFlight.sequence().getLane()).as("still the failed lane: the router refuses it").isEqualTo(lane);
        lanes.answered(later, PublishLanes.Outcome.RETRIABLE);
        lanes.answered(whileInFlight, PublishLanes.Outcome.RETRIABLE);

        assertNewLane(next("a").sequence(), lane);
    }

    @Test
    void anIdleLaneWithoutFailuresGoesOnButOnlyAFewAreKept() {
        PublishLanes.Ticket first = next("a");
        lanes.answered(first, PublishLanes.Outcome.STORED);
        assertThat(next("a").sequence().getSeq()).isEqualTo(2);

        for (int i = 0; i < PublishLanes.MAX_IDLE_LANES + 10; i++) {
            lanes.answered(next("room-" + i), PublishLanes.Outcome.STORED);
        }
        assertThat(lanes.openLanes()).isLessThanOrEqualTo(PublishLanes.MAX_IDLE_LANES + 2);
    }
}
