package io.switchboard.proto;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proto.internal.v1.PublishSequence;
import org.junit.jupiter.api.Test;

/** Numbering per room in send order, acknowledgements counted only when contiguous, a new lane after a failure. */
class PublishLanesTest {
    private final PublishLanes lanes = new PublishLanes("session-1");

    @Test
    void numbersEachRoomsPublishesInSendOrder() {
        PublishLanes.Ticket a1 = lanes.next("a");
        PublishLanes.Ticket b1 = lanes.next("b");
        PublishLanes.Ticket a2 = lanes.next("a");

        assertThat(a1.sequence().getSeq()).isEqualTo(1);
        assertThat(a2.sequence().getSeq()).isEqualTo(2);
        assertThat(a2.sequence().getLane()).isEqualTo(a1.sequence().getLane());
        assertThat(b1.sequence().getSeq()).isEqualTo(1);
        assertThat(b1.sequence().getLane()).isNotEqualTo(a1.sequence().getLane()).startsWith("session-1/");
    }

    @Test
    void storedThroughCountsOnlyAnUnbrokenRunOfAcknowledgements() {
        PublishLanes.Ticket first = lanes.next("a");
        PublishLanes.Ticket second = lanes.next("a");
        PublishLanes.Ticket third = lanes.next("a");

        lanes.answered(second, true);
        assertThat(third.sequence().getStoredThrough()).as("2 is acknowledged, 1 is not yet").isZero();
        lanes.answered(first, true);
        assertThat(third.sequence().getStoredThrough()).isEqualTo(2);
        lanes.answered(third, true);
        assertThat(lanes.next("a").sequence()).isEqualTo(PublishSequence.newBuilder()
                .setLane(first.sequence().getLane()).setSeq(4).setStoredThrough(3).build());
    }

    @Test
    void afterAFailureTheLaneEndsOnceNothingOfItIsInFlightAndTheNextPublishStartsANewOne() {
        PublishLanes.Ticket failed = lanes.next("a");
        PublishLanes.Ticket later = lanes.next("a");
        String lane = failed.sequence().getLane();

        lanes.answered(failed, false);
        PublishLanes.Ticket whileInFlight = lanes.next("a");
        assertThat(whileInFlight.sequence().getLane()).as("still the failed lane: the router refuses it").isEqualTo(lane);
        lanes.answered(later, false);
        lanes.answered(whileInFlight, false);

        PublishSequence resend = lanes.next("a").sequence();
        assertThat(resend.getLane()).isNotEqualTo(lane);
        assertThat(resend.getSeq()).isEqualTo(1);
        assertThat(resend.getStoredThrough()).isZero();
    }

    @Test
    void anIdleLaneWithoutFailuresGoesOnButOnlyAFewAreKept() {
        PublishLanes.Ticket first = lanes.next("a");
        lanes.answered(first, true);
        assertThat(lanes.next("a").sequence().getSeq()).isEqualTo(2);

        for (int i = 0; i < PublishLanes.MAX_IDLE_LANES + 10; i++) {
            lanes.answered(lanes.next("room-" + i), true);
        }
        assertThat(lanes.openLanes()).isLessThanOrEqualTo(PublishLanes.MAX_IDLE_LANES + 2);
    }
}
