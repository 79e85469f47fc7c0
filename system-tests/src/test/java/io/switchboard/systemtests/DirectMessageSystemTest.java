package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.UserMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Direct messages between users: delivered to every connected device of the recipient on every gateway, counted
 * in the ack, once per id, and to nobody (devices 0) when the recipient is offline.
 */
class DirectMessageSystemTest {
    @RegisterExtension
    static final ApiCluster API = new ApiCluster(false, "dm-test", "read");

    private static Peer connect(int gateway, String user) {
        return API.connect(gateway, user);
    }

    private static Ack direct(Peer from, String to, String id, String text) {
        int requestId = from.nextRequestId();
        from.send(ClientFrame.newBuilder().setDirect(DirectMessage.newBuilder().setRequestId(requestId).setUserId(to)
                .setId(id).setPayload(ByteString.copyFromUtf8(text)).setContentType("text/plain")).build());
        ServerFrame reply = from.reply(requestId);
        assertThat(reply.hasAck()).as("reply to direct message %s: %s", id, reply).isTrue();
        return reply.getAck();
    }

    private static List<UserMessage> received(Peer peer, String id) {
        return peer.all(ServerFrame::hasUserMessage).stream().map(ServerFrame::getUserMessage)
                .filter(m -> m.getId().equals(id)).toList();
    }

    @Test
    void reachesEveryDeviceOnEveryGatewayOncePerId() {
        try (Peer alice = connect(0, "alice");
             Peer bobPhone = connect(0, "bob");
             Peer bobLaptop = connect(1, "bob")) {
            assertThat(bobPhone.gatewayId()).isNotEqualTo(bobLaptop.gatewayId());
            await().atMost(Peer.WAIT).until(() -> API.api().connections("bob") == 2);

            Ack ack = direct(alice, "bob", "dm-1", "psst");
            assertThat(ack.getDevices()).isEqualTo(2);
            assertThat(ack.getId()).isEqualTo("dm-1");
            for (Peer device : List.of(bobPhone, bobLaptop)) {
                UserMessage m = device.awaitFrame(f -> f.hasUserMessage() && f.getUserMessage().getId().equals("dm-1"))
                        .getUserMessage();
                assertThat(m.getSender()).isEqualTo("alice");
                assertThat(m.getPayload().toStringUtf8()).isEqualTo("psst");
                assertThat(m.getContentType()).isEqualTo("text/plain");
            }

            // The same id again is recognised, not delivered twice. A later message to bob travels the same
            // path, so once it arrived a second copy of dm-1 would have arrived before it.
            Ack again = direct(alice, "bob", "dm-1", "psst");
            assertThat(again.getDuplicate()).isTrue();
            assertThat(direct(alice, "bob", "dm-2", "second").getDevices()).isEqualTo(2);
            for (Peer device : List.of(bobPhone, bobLaptop)) {
                device.awaitFrame(f -> f.hasUserMessage() && f.getUserMessage().getId().equals("dm-2"));
                assertThat(received(device, "dm-1")).hasSize(1);
            }
            assertThat(alice.all(ServerFrame::hasUserMessage)).as("the sender is no recipient").isEmpty();

            // One device gone: the router's cached lookup (cache-ttl far longer than this test) is dropped when
            // the presence topic says bob changed, so soon a message counts one device and reaches only the phone.
            bobLaptop.leave();
            await().atMost(Peer.WAIT).until(() -> API.api().connections("bob") == 1);
            AtomicInteger attempt = new AtomicInteger();
            await().atMost(Peer.WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> direct(alice, "bob", "dm-3-" + attempt.incrementAndGet(), "still there?").getDevices() == 1);
            bobPhone.awaitFrame(f -> f.hasUserMessage() && f.getUserMessage().getId().equals("dm-3-" + attempt.get()));
        }
    }

    @Test
    void anOfflineUserGetsNothing() {
        try (Peer alice = connect(1, "alice")) {
            Ack ack = direct(alice, "nobody-online", "dm-offline-1", "hello?");
            assertThat(ack.getDevices()).isZero();
            assertThat(ack.getDuplicate()).isFalse();
        }
    }
}
