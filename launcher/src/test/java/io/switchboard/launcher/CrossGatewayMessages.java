package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A publisher's acknowledged messages, checked to reach a subscriber (on another gateway) in the order sent. */
final class CrossGatewayMessages {
    private CrossGatewayMessages() {
    }

    /**
     * {@code publisher} publishes {@code count} messages to {@code room}, each acknowledged before the next;
     * {@code subscriber} (subscribed already) must receive exactly them, in that order. Returns their ids.
     */
    static List<String> publishAndReceiveInOrder(WsTestClient publisher, WsTestClient subscriber, String room,
                                                 String idPrefix, int count, Duration wait) {
        List<String> sent = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            String id = idPrefix + n;
            publisher.publish(room, id, "message " + n);
            ServerFrame reply = publisher.nextMatching(f -> f.hasAck() || f.hasError(), wait);
            assertThat(reply.hasAck()).as("publish: %s", reply).isTrue();
            sent.add(id);
        }
        List<String> received = new ArrayList<>();
        for (int n = 0; n < sent.size(); n++) {
            received.add(subscriber.nextMatching(ServerFrame::hasMessage, wait).getMessage().getId());
        }
        assertThat(received).as("what the subscriber saw, through the other gateway").containsExactlyElementsOf(sent);
        return sent;
    }
}
