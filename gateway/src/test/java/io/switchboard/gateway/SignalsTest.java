package io.switchboard.gateway;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.Ephemeral;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.client.v1.RefreshToken;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.SetStatus;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.proto.client.v1.Unsubscribed;
import io.switchboard.proto.internal.v1.CloseRoomCommand;
import io.switchboard.proto.internal.v1.ControlRecord;
import io.switchboard.proto.internal.v1.DisconnectCommand;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.proto.internal.v1.SubscribeCommand;
import io.switchboard.proto.internal.v1.UnsubscribeCommand;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.switchboard.gateway.GatewayHarness.CONTROL_TOPIC;
import static io.switchboard.gateway.GatewayHarness.PRESENCE_TOPIC;
import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ephemeral events, presence events, control records (direct messages, disconnects, closed rooms, a backend's
 * SubscribeUser and UnsubscribeUser), token refresh
 * and expiry, on real sockets with a real Kafka: the fake router writes ephemeral and control records like the
 * real one, and the test writes presence and control records as the presence service and routers would.
 */
class SignalsTest {
    private static final String GATEWAY_ID = "gw-signals";
    private static final MutableClock CLOCK = new MutableClock();
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(GatewayKeys.ID, GATEWAY_ID), CLOCK);
        // Signals are read from the end: wait until all three topics are positioned before writing any.
        await().atMost(WAIT).until(() -> h.metric("gateway_signal_topics_ready") == 3);
    }

    private static ClientFrame ephemeral(int requestId, String room, String kind) {
        return ClientFrame.newBuilder().setEphemeral(Ephemeral.newBuilder()
                .setRequestId(requestId).setRoom(room).setKind(kind)
                .setPayload(ByteString.copyFromUtf8("{}")).setContentType("application/json")).build();
    }

    @Test
    void ephemeralReachesTheRoomsOtherConnectionsButNotTheSender() {
        String room = "typing-1";
        try (WsTestClient alice = h.connect(Subprotocol.PROTO, "alice");
             WsTestClient aliceTablet = h.connect(Subprotocol.JSON, "alice");
             WsTestClient bob = h.connect(Subprotocol.JSON, "bob")) {
            alice.subscribeAndWait(room, WAIT);
            aliceTablet.subscribeAndWait(room, WAIT);
            bob.subscribeAndWait(room, WAIT);

            alice.send(ephemeral(0, room, "typing"));
            ServerFrame atBob = bob.nextMatching(ServerFrame::hasEphemeral, WAIT);
            assertThat(atBob.getEphemeral().getRoom()).isEqualTo(room);
            assertThat(atBob.getEphemeral().getKind()).isEqualTo("typing");
            assertThat(atBob.getEphemeral().getSender()).isEqualTo("alice");
            assertThat(atBob.getEphemeral().getTtlMs()).isEqualTo(6000);
            assertThat(atBob.getEphemeral().getContentType()).isEqualTo("application/json");
            String aliceSession = atBob.getEphemeral().getSessionId();
            assertThat(aliceSession).isNotEmpty();
            ServerFrame atTablet = aliceTablet.nextMatching(ServerFrame::hasEphemeral, WAIT);
            assertThat(atTablet.getEphemeral().getSessionId()).isEqualTo(aliceSession);

            // The tablet's own event comes after alice's in the room's partition: once alice sees it, her own
            // event would have reached her before it.
            aliceTablet.send(ephemeral(0, room, "typing"));
            List<ServerFrame> seen = new ArrayList<>();
            ServerFrame fromTablet = alice.nextMatching(f -> {
                seen.add(f);
                return f.hasEphemeral() && !f.getEphemeral().getSessionId().equals(aliceSession);
            }, WAIT);
            assertThat(fromTablet.getEphemeral().getSender()).isEqualTo("alice");
            assertThat(seen).noneMatch(f -> f.hasEphemeral() && f.getEphemeral().getSessionId().equals(aliceSession));
        }
    }

    @Test
    void ephemeralNeedsASubscriptionAndThrottledOnesAnswerOnlyWithARequestId() {
        try (WsTestClient c = h.connect(Subprotocol.JSON, "carol")) {
            c.send(ephemeral(7, "not-mine", "typing"));
            ServerFrame e = c.nextMatching(ServerFrame::hasError, WAIT);
            assertThat(e.getError().getRequestId()).isEqualTo(7);
            assertThat(e.getError().getCode()).isEqualTo(ErrorCode.NOT_SUBSCRIBED);
            assertThat(e.getError().getRetriable()).isFalse();

            c.subscribeAndWait("throttled", WAIT);
            c.send(ephemeral(8, "throttled", "bad kind!"));
            assertThat(c.nextMatching(ServerFrame::hasError, WAIT).getError().getCode()).isEqualTo(ErrorCode.BAD_REQUEST);

            h.router.throttleEphemerals = true;
            try {
                c.send(ephemeral(0, "throttled", "typing"));   // fire-and-forget: no answer
                c.send(ephemeral(9, "throttled", "typing"));
                ServerFrame limited = c.nextMatching(ServerFrame::hasError, WAIT);
                assertThat(limited.getError().getRequestId()).isEqualTo(9);
                assertThat(limited.getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
                assertThat(limited.getError().getRetriable()).isTrue();
            } finally {
                h.router.throttleEphemerals = false;
            }
        }
    }

    @Test
    void presenceEventsGoOnlyToSubscribersThatAskedForThem() throws Exception {
        String room = "presence-1";
        try (WsTestClient watcher = h.connect(Subprotocol.JSON, "wanda");
             WsTestClient quiet = h.connect(Subprotocol.PROTO, "quentin")) {
            watcher.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder()
                    .setRequestId(1).setRoom(room).setPresence(true)).build());
            watcher.nextMatching(ServerFrame::hasSubscribed, WAIT);
            quiet.subscribeAndWait(room, WAIT);
            quiet.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder()
                    .setRequestId(2).setRoom("presence-marker").setPresence(true)).build());
            quiet.nextMatching(ServerFrame::hasSubscribed, WAIT);

            // Copied as is, versions included (docs/protocol.md section 11.1).
            PresenceEvent event = PresenceEvent.newBuilder().setRoom(room).setUsers(2).setConnections(2)
                    .setJoinedTotal(1).addLeft("someone").setEpoch("e1").setFromVersion(6).setVersion(7).build();
            // Both records in one partition, so the marker arrives after the room's event.
            h.router.produce(PRESENCE_TOPIC, 0, "room:" + room,
                    PresenceRecord.newBuilder().setRoom(event).build().toByteArray());
            h.router.produce(PRESENCE_TOPIC, 0, "room:presence-marker", PresenceRecord.newBuilder()
                    .setRoom(PresenceEvent.newBuilder().setRoom("presence-marker").setUsers(1)).build().toByteArray());

            ServerFrame got = watcher.nextMatching(ServerFrame::hasPresence, WAIT);
            assertThat(got.getPresence()).isEqualTo(event);
            List<ServerFrame> seen = new ArrayList<>();
            quiet.nextMatching(f -> {
                seen.add(f);
                return f.hasPresence() && f.getPresence().getRoom().equals("presence-marker");
            }, WAIT);
            assertThat(seen).noneMatch(f -> f.hasPresence() && f.getPresence().getRoom().equals(room));
        }
    }

    @Test
    void controlDisconnectClosesTheUsersConnectionsWithTheCodeWhenAddressedToThisGateway() throws Exception {
        try (WsTestClient phone = h.connect(Subprotocol.PROTO, "dave");
             WsTestClient laptop = h.connect(Subprotocol.JSON, "dave");
             WsTestClient other = h.connect(Subprotocol.JSON, "olga")) {
            // Same key, same partition: the first record (for another gateway) is read, and ignored, first.
            h.router.produce(CONTROL_TOPIC, "dave", ControlRecord.newBuilder().addGatewayIds("gw-elsewhere")
                    .setDisconnect(DisconnectCommand.newBuilder().setUserId("dave").setCode(4002).setReason("wrong"))
                    .build().toByteArray());
            h.router.produce(CONTROL_TOPIC, "dave", ControlRecord.newBuilder().addGatewayIds(GATEWAY_ID)
                    .setDisconnect(DisconnectCommand.newBuilder().setUserId("dave").setCode(4001).setReason("banned"))
                    .build().toByteArray());
            assertThat(phone.awaitClose(WAIT)).isEqualTo(new WsTestClient.Closed(4001, "banned"));
            assertThat(laptop.awaitClose(WAIT)).isEqualTo(new WsTestClient.Closed(4001, "banned"));
            other.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(5)).build());
            assertThat(other.nextMatching(ServerFrame::hasPong, WAIT).getPong().getNonce()).isEqualTo(5);
        }
    }

    @Test
    void closeRoomEndsTheSubscriptionWithUnsubscribedRoomClosed() throws Exception {
        String room = "closing-1";
        try (WsTestClient c = h.connect(Subprotocol.JSON, "erin")) {
            c.subscribeAndWait(room, WAIT);
            h.router.produce(CONTROL_TOPIC, room, ControlRecord.newBuilder()
                    .setCloseRoom(CloseRoomCommand.newBuilder().setRoom(room).setReason("archived"))
                    .build().toByteArray());
            ServerFrame u = c.nextMatching(ServerFrame::hasUnsubscribed, WAIT);
            assertThat(u.getUnsubscribed().getRequestId()).isZero();
            assertThat(u.getUnsubscribed().getRoom()).isEqualTo(room);
            assertThat(u.getUnsubscribed().getReason()).isEqualTo(ErrorCode.ROOM_CLOSED);
            assertThat(u.getUnsubscribed().getMessage()).isEqualTo("archived");
            // The subscription is gone.
            c.send(ephemeral(3, room, "typing"));
            assertThat(c.nextMatching(ServerFrame::hasError, WAIT).getError().getCode())
                    .isEqualTo(ErrorCode.NOT_SUBSCRIBED);
        }
    }

    @Test
    void controlSubscribeAndUnsubscribeReachTheUsersConnectionsWhenAddressedToThisGateway() throws Exception {
        String room = "lounge-1";
        String elsewhere = "lounge-elsewhere";
        // Kim's token grants no room: only the backend's SubscribeUser records get her connections in.
        String token = h.tokens.token("kim");
        try (WsTestClient phone = WsTestClient.connect(h.wsUri(), Subprotocol.PROTO);
             WsTestClient laptop = WsTestClient.connected(h.wsUri(), Subprotocol.JSON, token);
             WsTestClient host = h.connect(Subprotocol.JSON, "host")) {
            phone.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(token)).build());
            String phoneSession = phone.nextMatching(ServerFrame::hasConnected, WAIT).getConnected().getSessionId();
            int refused = laptop.subscribe(room);
            assertThat(laptop.nextMatching(f -> f.hasError() && f.getError().getRequestId() == refused, WAIT)
                    .getError().getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            host.subscribeAndWait(room, WAIT);

            // Same key, same partition: the record for another gateway is read, and ignored, first.
            h.router.produce(CONTROL_TOPIC, "kim", ControlRecord.newBuilder().addGatewayIds("gw-elsewhere")
                    .setSubscribe(SubscribeCommand.newBuilder().setUserId("kim").setRoom(elsewhere))
                    .build().toByteArray());
            h.router.produce(CONTROL_TOPIC, "kim", ControlRecord.newBuilder().addGatewayIds(GATEWAY_ID)
                    .setSubscribe(SubscribeCommand.newBuilder().setUserId("kim").setRoom(room).setPresence(true))
                    .build().toByteArray());
            for (WsTestClient device : List.of(phone, laptop)) {
                List<ServerFrame> seen = new ArrayList<>();
                Subscribed s = device.nextMatching(f -> {
                    seen.add(f);
                    return f.hasSubscribed();
                }, WAIT).getSubscribed();
                assertThat(s.getRoom()).isEqualTo(room);
                assertThat(s.getRequestId()).isZero();
                assertThat(s.getServerSide()).isTrue();
                assertThat(s.getPresence()).isTrue();
                assertThat(seen).noneMatch(f -> f.hasSubscribed() && f.getSubscribed().getRoom().equals(elsewhere));
            }
            host.publish(room, "welcome", "hi kim");
            for (WsTestClient device : List.of(phone, laptop)) {
                assertThat(device.nextMatching(ServerFrame::hasMessage, WAIT).getMessage().getId())
                        .isEqualTo("welcome");
            }

            // One connection, by session id: the phone's subscription ends, the laptop's stays.
            h.router.produce(CONTROL_TOPIC, "kim", ControlRecord.newBuilder().setUnsubscribe(UnsubscribeCommand
                    .newBuilder().setUserId("kim").setSessionId(phoneSession).setRoom(room).setReason("moved"))
                    .build().toByteArray());
            Unsubscribed ended = phone.nextMatching(ServerFrame::hasUnsubscribed, WAIT).getUnsubscribed();
            assertThat(ended.getRoom()).isEqualTo(room);
            assertThat(ended.getRequestId()).isZero();
            assertThat(ended.getReason()).isEqualTo(ErrorCode.SERVER_UNSUBSCRIBED);
            assertThat(ended.getMessage()).isEqualTo("moved");
            host.publish(room, "after-move", "still here?");
            assertThat(laptop.nextMatching(ServerFrame::hasMessage, WAIT).getMessage().getId())
                    .isEqualTo("after-move");

            // Every connection of the user; without a reason the client hears a default one.
            h.router.produce(CONTROL_TOPIC, "kim", ControlRecord.newBuilder().setUnsubscribe(UnsubscribeCommand
                    .newBuilder().setUserId("kim").setRoom(room)).build().toByteArray());
            Unsubscribed all = laptop.nextMatching(ServerFrame::hasUnsubscribed, WAIT).getUnsubscribed();
            assertThat(all.getReason()).isEqualTo(ErrorCode.SERVER_UNSUBSCRIBED);
            assertThat(all.getMessage()).isEqualTo("unsubscribed by the server");
            // The grant was the backend's, for those subscriptions only.
            int again = phone.subscribe(room);
            assertThat(phone.nextMatching(f -> f.hasError() && f.getError().getRequestId() == again, WAIT)
                    .getError().getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(phone.isOpen() && laptop.isOpen()).isTrue();
        }
    }

    @Test
    void directMessageReachesEveryConnectionOfTheUser() {
        try (WsTestClient phone = h.connect(Subprotocol.PROTO, "fay");
             WsTestClient laptop = h.connect(Subprotocol.JSON, "fay");
             WsTestClient sender = h.connect(Subprotocol.JSON, "gus")) {
            int rid = sender.nextRequestId();
            sender.send(ClientFrame.newBuilder().setDirect(DirectMessage.newBuilder().setRequestId(rid)
                    .setUserId("fay").setId("dm-1").setPayload(ByteString.copyFromUtf8("psst"))
                    .setContentType("text/plain")).build());
            ServerFrame ack = sender.nextMatching(ServerFrame::hasAck, WAIT);
            assertThat(ack.getAck().getRequestId()).isEqualTo(rid);
            assertThat(ack.getAck().getId()).isEqualTo("dm-1");
            for (WsTestClient device : List.of(phone, laptop)) {
                ServerFrame m = device.nextMatching(ServerFrame::hasUserMessage, WAIT);
                assertThat(m.getUserMessage().getId()).isEqualTo("dm-1");
                assertThat(m.getUserMessage().getSender()).isEqualTo("gus");
                assertThat(m.getUserMessage().getPayload().toStringUtf8()).isEqualTo("psst");
                assertThat(m.getUserMessage().getContentType()).isEqualTo("text/plain");
            }
        }
    }

    @Test
    void aStoredDirectMessageIsAPublishIntoTheUsersInboxWhichOnlyTheyReceive() {
        try (WsTestClient inga = h.connect(Subprotocol.JSON, "inga");
             WsTestClient jon = h.connect(Subprotocol.PROTO, "jon")) {
            inga.subscribeAndWait("inbox:inga", WAIT);
            int rid = jon.nextRequestId();
            jon.send(ClientFrame.newBuilder().setDirect(DirectMessage.newBuilder().setRequestId(rid)
                    .setUserId("inga").setId("dm-s1").setPayload(ByteString.copyFromUtf8("kept"))
                    .setContentType("text/plain").setStored(true)).build());
            ServerFrame ack = jon.nextMatching(f -> f.hasAck() && f.getAck().getRequestId() == rid, WAIT);
            assertThat(ack.getAck().getRoom()).isEqualTo("inbox:inga");
            assertThat(ack.getAck().getId()).isEqualTo("dm-s1");
            assertThat(ack.getAck().getEpoch()).isNotEmpty();

            ServerFrame m = inga.nextMatching(ServerFrame::hasMessage, WAIT);
            assertThat(m.getMessage().getRoom()).isEqualTo("inbox:inga");
            assertThat(m.getMessage().getSender()).isEqualTo("jon");
            assertThat(m.getMessage().getPayload().toStringUtf8()).isEqualTo("kept");
            assertThat(m.getMessage().getPosition()).isEqualTo(ack.getAck().getPosition());
            assertThat(h.router.received()).filteredOn(e -> e.getId().equals("dm-s1")).singleElement()
                    .satisfies(e -> {
                        assertThat(e.getDirect()).isTrue();
                        assertThat(e.getRoom()).isEqualTo("inbox:inga");
                    });
        }
    }

    @Test
    void refreshWithAnotherSubjectIsRefusedAndTheConnectionStays() {
        try (WsTestClient c = h.connect(Subprotocol.JSON, "hana")) {
            c.send(ClientFrame.newBuilder().setRefresh(RefreshToken.newBuilder().setRequestId(4)
                    .setToken(h.tokens.token("mallory"))).build());
            ServerFrame e = c.nextMatching(ServerFrame::hasError, WAIT);
            assertThat(e.getError().getRequestId()).isEqualTo(4);
            assertThat(e.getError().getCode()).isEqualTo(ErrorCode.INVALID_TOKEN);
            assertThat(e.getError().getRetriable()).isFalse();

            c.send(ClientFrame.newBuilder().setRefresh(RefreshToken.newBuilder().setRequestId(5)
                    .setToken("not-a-jwt")).build());
            assertThat(c.nextMatching(ServerFrame::hasError, WAIT).getError().getCode()).isEqualTo(ErrorCode.INVALID_TOKEN);

            c.send(ClientFrame.newBuilder().setRefresh(RefreshToken.newBuilder().setRequestId(6)
                    .setToken(h.tokens.token("hana"))).build());
            assertThat(c.nextMatching(ServerFrame::hasAck, WAIT).getAck().getRequestId()).isEqualTo(6);
            assertThat(c.isOpen()).isTrue();
        }
    }

    @Test
    void anExpiredTokenClosesWith3501UnlessRefreshed() {
        Date soon = Date.from(CLOCK.instant().plusSeconds(60));
        try (WsTestClient expiring = WsTestClient.connected(h.wsUri(), Subprotocol.JSON,
                h.tokens.token("ivan", claims -> claims.expirationTime(soon)));
             WsTestClient refreshed = WsTestClient.connected(h.wsUri(), Subprotocol.PROTO,
                     h.tokens.token("ivan", claims -> claims.expirationTime(soon)))) {
            Date later = Date.from(CLOCK.instant().plusSeconds(3600));
            refreshed.send(ClientFrame.newBuilder().setRefresh(RefreshToken.newBuilder().setRequestId(1)
                    .setToken(h.tokens.token("ivan", claims -> claims.expirationTime(later)))).build());
            assertThat(refreshed.nextMatching(ServerFrame::hasAck, WAIT).getAck().getRequestId()).isEqualTo(1);

            CLOCK.advance(java.time.Duration.ofMinutes(5)); // past exp + the 30 s clock skew
            WsTestClient.Closed closed = expiring.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(ErrorCode.TOKEN_EXPIRED_VALUE);
            refreshed.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(9)).build());
            assertThat(refreshed.nextMatching(ServerFrame::hasPong, WAIT).getPong().getNonce()).isEqualTo(9);
        }
    }

    @Test
    void withoutPresenceSetStatusAndPresenceQueryAnswerUnavailable() {
        try (WsTestClient c = h.connect(Subprotocol.JSON, "jill")) {
            c.send(ClientFrame.newBuilder().setSetStatus(SetStatus.newBuilder().setRequestId(1)
                    .setStatus(PresenceStatus.AWAY)).build());
            ServerFrame e = c.nextMatching(ServerFrame::hasError, WAIT);
            assertThat(e.getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getError().getRetriable()).isTrue();

            c.send(ClientFrame.newBuilder().setPresence(PresenceQuery.newBuilder().setRequestId(2).setRoom("q-room"))
                    .build());
            assertThat(c.nextMatching(ServerFrame::hasError, WAIT).getError().getCode())
                    .isEqualTo(ErrorCode.NOT_SUBSCRIBED);
            c.subscribeAndWait("q-room", WAIT);
            c.send(ClientFrame.newBuilder().setPresence(PresenceQuery.newBuilder().setRequestId(3).setRoom("q-room"))
                    .build());
            ServerFrame unavailable = c.nextMatching(ServerFrame::hasError, WAIT);
            assertThat(unavailable.getError().getRequestId()).isEqualTo(3);
            assertThat(unavailable.getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(unavailable.getError().getRetriable()).isTrue();
        }
    }
}
