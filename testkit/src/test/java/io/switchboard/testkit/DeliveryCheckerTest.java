package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proto.client.v1.Message;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeliveryCheckerTest {
    private static Message message(String room, String id, long position) {
        return Message.newBuilder().setRoom(room).setId(id).setPosition(position).build();
    }

    /** Acks each message (room, id, position) in the order given, then hands them all to {@code s} in that order. */
    private static void ackedThenReceived(DeliveryChecker checker, DeliveryChecker.Subscriber s, Message... messages) {
        for (Message m : messages) {
            checker.acked(m.getRoom(), m.getId(), m.getPosition());
        }
        for (Message m : messages) {
            s.received(m);
        }
    }

    @Test
    void cleanRunHasNoViolations() {
        DeliveryChecker checker = new DeliveryChecker();
        DeliveryChecker.Subscriber s = checker.subscriber("s", Set.of("r"));
        ackedThenReceived(checker, s, message("r", "a", 1), message("r", "b", 5));
        assertThat(checker.allDelivered()).isTrue();
        assertThat(checker.violations()).isEmpty();
    }

    @Test
    void reportsMissingDuplicateOutOfOrderAndWrongPosition() {
        DeliveryChecker checker = new DeliveryChecker();
        DeliveryChecker.Subscriber s = checker.subscriber("s", Set.of("r"));
        checker.acked("r", "a", 1);
        checker.acked("r", "b", 2);
        checker.acked("r", "c", 3);
        checker.acked("r", "d", 4);
        s.received(message("r", "b", 2));
        s.received(message("r", "b", 2));
        s.received(message("r", "a", 1));
        s.received(message("r", "c", 7));
        assertThat(checker.allDelivered()).isFalse();
        assertThat(checker.violations()).anyMatch(v -> v.contains("missing r id d"))
                .anyMatch(v -> v.contains("duplicate r id b"))
                .anyMatch(v -> v.contains("out of order"))
                .anyMatch(v -> v.contains("delivered at 7 but acked at 3"));
    }

    @Test
    void reportsAPublishersMessageDeliveredBeforeOneItSentEarlier() {
        DeliveryChecker checker = new DeliveryChecker();
        DeliveryChecker.Subscriber s = checker.subscriber("s", Set.of("r"));
        checker.sent("alice", "r", "a1");
        checker.sent("bob", "r", "b1");
        checker.sent("alice", "r", "a2");
        checker.sent("alice", "r", "a1"); // a resend keeps its first place
        ackedThenReceived(checker, s, message("r", "b1", 1), message("r", "a2", 2), message("r", "a1", 3));
        assertThat(checker.tally().outOfSendOrder()).isEqualTo(1);
        assertThat(checker.tally().outOfOrder()).isZero();
        assertThat(checker.violations()).singleElement().asString().contains("a1 (at 3, sent 2 times by the application) of alice delivered after a2 (at 2), which it sent later");
    }

    @Test
    void anotherPublishersOrderAndARepeatedCopyAreNoSendOrderBreach() {
        DeliveryChecker checker = DeliveryChecker.acrossFailovers();
        DeliveryChecker.Subscriber s = checker.subscriber("s", Set.of("r"));
        checker.sent("alice", "r", "a1");
        checker.sent("alice", "r", "a2");
        checker.sent("bob", "r", "b1");
        ackedThenReceived(checker, s, message("r", "b1", 1), message("r", "a1", 2), message("r", "a2", 3));
        assertThat(checker.tally().outOfSendOrder()).isZero();
        assertThat(checker.violations()).isEmpty();
    }

    @Test
    void summarisesEachSubscribersGapWithWhatItReceivedAroundIt() {
        DeliveryChecker checker = new DeliveryChecker();
        DeliveryChecker.Subscriber window = checker.subscriber("window", Set.of("r"));
        DeliveryChecker.Subscriber stopped = checker.subscriber("stopped", Set.of("r"));
        DeliveryChecker.Subscriber complete = checker.subscriber("complete", Set.of("r"));
        for (int p = 1; p <= 6; p++) {
            checker.acked("r", "m" + p, p * 10);
        }
        for (int p : new int[] {1, 4, 6}) {
            window.received(message("r", "m" + p, p * 10));
        }
        for (int p = 1; p <= 2; p++) {
            stopped.received(message("r", "m" + p, p * 10));
        }
        for (int p = 1; p <= 6; p++) {
            complete.received(message("r", "m" + p, p * 10));
        }

        assertThat(checker.gaps()).containsExactlyInAnyOrder(
                new DeliveryChecker.Gap("window", "r", 3, 20, 50, 3, 10, 1, 60),
                new DeliveryChecker.Gap("stopped", "r", 4, 30, 60, 2, 20, 0, -1));
        assertThat(new DeliveryChecker.Gap("stopped", "r", 4, 30, 60, 2, 20, 0, -1).describe())
                .isEqualTo("stopped: 4 acked messages of r never delivered, at positions 30 to 60; of the room it"
                        + " received 2, the last before them at 20, 0 between them, the first after them never");
    }
}
