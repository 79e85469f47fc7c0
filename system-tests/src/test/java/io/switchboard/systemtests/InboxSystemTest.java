package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.switchboard.proto.Inboxes;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.SendToUserRequest;
import io.switchboard.proto.api.v1.SendToUserResponse;
import io.switchboard.proto.api.v1.SubscribeUserRequest;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.testkit.Subprotocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stored direct messages: a user who is offline receives them on each device's next connection, once, in the
 * sender's order, by subscribing to their inbox from the position the device kept; at-most-once direct messages
 * are still never stored; nobody but the user reads an inbox, and nobody publishes into one.
 */
class InboxSystemTest {
    @RegisterExtension
    static final ApiCluster API = new ApiCluster(true, "inbox-test", "publish read control");

    /** Sends a direct message and waits for its answer (an Ack or an Error). */
    private static ServerFrame direct(Peer from, String to, String id, boolean stored) {
        int requestId = send(from, to, id, stored);
        return from.reply(requestId);
    }

    private static int send(Peer from, String to, String id, boolean stored) {
        int requestId = from.nextRequestId();
        from.send(ClientFrame.newBuilder().setDirect(DirectMessage.newBuilder().setRequestId(requestId).setUserId(to)
                .setId(id).setPayload(ByteString.copyFromUtf8("text of " + id)).setContentType("text/plain")
                .setStored(stored)).build());
        return requestId;
    }

    private static Ack acked(Peer peer, int requestId) {
        ServerFrame reply = peer.reply(requestId);
        assertThat(reply.hasAck()).as("reply to request %s: %s", requestId, reply).isTrue();
        return reply.getAck();
    }

    /** Subscribes {@code device} to its inbox from {@code next} (0: everything retained) and waits for Subscribed. */
    private static Subscribed subscribeInbox(Peer device, long next) {
        int requestId = device.nextRequestId();
        device.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(requestId)
                .setRoom(device.connected().getInbox())
                .setResumeFrom(ResumeFrom.newBuilder().setNextPosition(next)
                        .setEpoch(device.connected().getInboxEpoch()))).build());
        ServerFrame reply = device.reply(requestId);
        assertThat(reply.hasSubscribed()).as("%s: subscribe to inbox: %s", device, reply).isTrue();
        return reply.getSubscribed();
    }

    /** Waits for {@code count} messages of the device's inbox and returns every one received, in arrival order. */
    private static List<Message> inbox(Peer device, int count) {
        String room = device.connected().getInbox();
        device.awaitFrame(f -> device.all(g -> g.hasMessage() && g.getMessage().getRoom().equals(room)).size()
                >= count);
        return device.all(f -> f.hasMessage() && f.getMessage().getRoom().equals(room)).stream()
                .map(ServerFrame::getMessage).toList();
    }

    private static List<String> ids(List<Message> messages) {
        return messages.stream().map(Message::getId).toList();
    }

    @Test
    void anOfflineUsersDevicesEachReceiveTheirStoredDirectMessagesOnceInOrderAndResume() {
        String inbox = Inboxes.roomOf("bob");
        List<String> sent = new ArrayList<>();
        try (Peer alice = API.connect(0, "alice")) {
            assertThat(alice.connected().getInbox()).isEqualTo(Inboxes.roomOf("alice"));
            // Pipelined: three stored direct messages in flight at once keep their send order.
            List<Integer> requests = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                requests.add(send(alice, "bob", "s-" + i, true));
                sent.add("s-" + i);
            }
            long previous = -1;
            for (int requestId : requests) {
                Ack ack = acked(alice, requestId);
                assertThat(ack.getRoom()).isEqualTo(inbox);
                assertThat(ack.getPosition()).isGreaterThan(previous);
                previous = ack.getPosition();
            }
            SendToUserResponse backend = API.api().blocking().sendToUser(SendToUserRequest.newBuilder()
                    .setUserId("bob").setId("api-1").setPayload(ByteString.copyFromUtf8("from the backend"))
                    .setContentType("text/plain").setStored(true).build());
            sent.add("api-1");
            assertThat(backend.getRoom()).isEqualTo(inbox);
            assertThat(backend.getPosition()).isGreaterThan(previous);
            assertThat(backend.getDuplicate()).isFalse();
            requests.clear();
            for (int i = 4; i <= 5; i++) {
                requests.add(send(alice, "bob", "s-" + i, true));
                sent.add("s-" + i);
            }
            requests.forEach(requestId -> acked(alice, requestId));
            // A retry of a stored one is recognised, not stored twice.
            assertThat(acked(alice, send(alice, "bob", "s-2", true)).getDuplicate()).isTrue();

            try (Peer phone = API.connect(0, "bob");
                 Peer laptop = API.connect(1, "bob")) {
                assertThat(phone.gatewayId()).isNotEqualTo(laptop.gatewayId());
                for (Peer device : List.of(phone, laptop)) {
                    assertThat(device.connected().getInbox()).isEqualTo(inbox);
                    Subscribed subscribed = subscribeInbox(device, 0);
                    assertThat(subscribed.getRecovered()).isTrue();
                    assertThat(subscribed.getReplayed()).isEqualTo(sent.size());
                    List<Message> received = inbox(device, sent.size());
                    assertThat(ids(received)).containsExactlyElementsOf(sent);
                    assertThat(received.getFirst().getSender()).isEqualTo("alice");
                    assertThat(received.getFirst().getPayload().toStringUtf8()).isEqualTo("text of s-1");
                    assertThat(received.get(3).getSender()).isEqualTo("service:inbox-test");
                }

                // Both online: a new one arrives live on each device.
                acked(alice, send(alice, "bob", "s-6", true));
                sent.add("s-6");
                assertThat(ids(inbox(phone, sent.size()))).containsExactlyElementsOf(sent);
                assertThat(ids(inbox(laptop, sent.size()))).containsExactlyElementsOf(sent);

                // The phone goes away and comes back: it resumes after the last one it processed.
                long next = inbox(phone, sent.size()).getLast().getPosition() + 1;
                phone.leave();
                List<String> missed = List.of("s-7", "s-8");
                for (String id : missed) {
                    acked(alice, send(alice, "bob", id, true));
                    sent.add(id);
                }
                assertThat(ids(inbox(laptop, sent.size()))).containsExactlyElementsOf(sent);
                try (Peer phoneAgain = API.connect(1, "bob")) {
                    Subscribed resumed = subscribeInbox(phoneAgain, next);
                    assertThat(resumed.getRecovered()).isTrue();
                    assertThat(resumed.getReplayed()).isEqualTo(missed.size());
                    assertThat(ids(inbox(phoneAgain, missed.size()))).containsExactlyElementsOf(missed);
                    // Nothing more follows: a later message is the next one the phone gets.
                    acked(alice, send(alice, "bob", "s-9", true));
                    assertThat(ids(inbox(phoneAgain, missed.size() + 1))).containsExactly("s-7", "s-8", "s-9");
                }
            }
        }
    }

    @Test
    void atMostOnceDirectMessagesAreStillNeverStored() {
        try (Peer alice = API.connect(1, "alice")) {
            ServerFrame signal = direct(alice, "carol", "signal-1", false);
            assertThat(signal.getAck().getDevices()).as("%s", signal).isZero();
            assertThat(signal.getAck().getRoom()).isEmpty();
            assertThat(direct(alice, "carol", "kept-1", true).hasAck()).isTrue();
            try (Peer carol = API.connect(0, "carol")) {
                Subscribed subscribed = subscribeInbox(carol, 0);
                assertThat(subscribed.getReplayed()).isEqualTo(1);
                assertThat(ids(inbox(carol, 1))).containsExactly("kept-1");
                // Online and subscribed to her inbox, she still gets an at-most-once one as a UserMessage only.
                // (The router's cached lookup says offline until the presence topic tells it she connected.)
                AtomicInteger attempt = new AtomicInteger();
                await().atMost(Peer.WAIT).pollInterval(Duration.ofMillis(200)).until(() -> direct(alice, "carol",
                        "signal-2-" + attempt.incrementAndGet(), false).getAck().getDevices() == 1);
                carol.awaitFrame(f -> f.hasUserMessage()
                        && f.getUserMessage().getId().equals("signal-2-" + attempt.get()));
                assertThat(direct(alice, "carol", "kept-2", true).hasAck()).isTrue();
                assertThat(ids(inbox(carol, 2))).containsExactly("kept-1", "kept-2");
            }
        }
    }

    @Test
    void anInboxIsReadOnlyByItsUserAndWrittenOnlyByStoredDirectMessages() {
        String bobs = Inboxes.roomOf("bob");
        // Over JSON, whose Connected the gateway prints by hand: it names the inbox too.
        try (Peer mallory = Peer.connect(API.cluster().webSocketUri(0), Subprotocol.JSON, "mallory",
                SystemCluster.USERS.token("mallory"))) {
            assertThat(mallory.connected().getInbox()).isEqualTo("inbox:mallory");
            assertThat(mallory.connected().getInboxEpoch()).isNotEmpty();
            int publish = mallory.nextRequestId();
            mallory.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(publish).setRoom(bobs)
                    .setId("forged-1").setPayload(ByteString.copyFromUtf8("x")).setAck(true)).build());
            int subscribe = mallory.nextRequestId();
            mallory.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(subscribe)
                    .setRoom(bobs)).build());
            int history = mallory.nextRequestId();
            mallory.send(ClientFrame.newBuilder().setHistory(HistoryRequest.newBuilder().setRequestId(history)
                    .setRoom(bobs).setLimit(10)).build());
            int ownPublish = mallory.nextRequestId();
            mallory.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(ownPublish)
                    .setRoom(mallory.connected().getInbox()).setId("forged-2").setPayload(ByteString.copyFromUtf8("x"))
                    .setAck(true)).build());
            for (int requestId : List.of(publish, subscribe, history, ownPublish)) {
                ServerFrame reply = mallory.reply(requestId);
                assertThat(reply.hasError()).as("%s", reply).isTrue();
                assertThat(reply.getError().getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            }
            assertThat(mallory.reply(subscribe).getError().getMessage())
                    .isEqualTo("subscribe in " + bobs + ": another user's inbox");
            assertThat(mallory.reply(ownPublish).getError().getMessage()).isEqualTo("publish in "
                    + mallory.connected().getInbox() + ": an inbox is written by stored direct messages only");
        }
        assertThatThrownBy(() -> API.api().blocking().publish(PublishRequest.newBuilder().setRoom(bobs)
                .setId("forged-3").setPayload(ByteString.copyFromUtf8("x")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> API.api().blocking().subscribeUser(SubscribeUserRequest.newBuilder()
                .setUserId("mallory").setRoom(bobs).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }
}
