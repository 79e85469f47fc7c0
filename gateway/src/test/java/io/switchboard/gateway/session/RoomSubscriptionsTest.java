package io.switchboard.gateway.session;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Unsubscribe;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Subscribe, Unsubscribe and a backend's room close, through the frames a connection gets. */
class RoomSubscriptionsTest {
    @AutoClose
    private SessionHarness gateway = new SessionHarness();

    private static ClientFrame subscribe(int requestId, String room) {
        return ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(requestId).setRoom(room))
                .build();
    }

    @Test
    void subscribedCarriesTheRoomsEpochAndWhereItsLiveStreamStartsAndMessagesFollow() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        gateway.handOver.liveFrom = 17;

        c.send(subscribe(1, "lobby"));
        gateway.handOver.deliver("lobby", 17);
        gateway.handOver.deliver("lobby", 18);

        c.awaitFrames(4);
        ServerFrame subscribed = c.sink().frames().get(1);
        assertThat(subscribed.getSubscribed().getRequestId()).isEqualTo(1);
        assertThat(subscribed.getSubscribed().getEpoch()).isEqualTo(gateway.layout.epochOf("lobby"));
        assertThat(subscribed.getSubscribed().getNextPosition()).isEqualTo(17);
        assertThat(subscribed.getSubscribed().getRecovered()).isFalse();
        assertThat(c.sink().frames().subList(2, 4)).extracting(f -> f.getMessage().getPosition())
                .containsExactly(17L, 18L);
        assertThat(gateway.presence.reports).containsExactly("opened alice", "joined lobby");
    }

    @Test
    void unsubscribeStopsDeliveryAndIsIdempotent() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(subscribe(1, "lobby"));
        c.awaitFrame(ServerFrame::hasSubscribed);

        c.send(ClientFrame.newBuilder().setUnsubscribe(Unsubscribe.newBuilder().setRequestId(2).setRoom("lobby")).build());
        c.send(ClientFrame.newBuilder().setUnsubscribe(Unsubscribe.newBuilder().setRequestId(3).setRoom("lobby")).build());
        gateway.handOver.deliver("lobby", 5);

        c.awaitFrame(f -> f.hasUnsubscribed() && f.getUnsubscribed().getRequestId() == 3);
        assertThat(c.sink().frames()).noneMatch(ServerFrame::hasMessage);
        assertThat(gateway.registry.subscribers("lobby")).isEmpty();
        assertThat(gateway.presence.reports).containsExactly("opened alice", "joined lobby", "left lobby");
    }

    @Test
    void anUnsubscribeBeforeAnySubscriptionIsAnsweredAndTheFirstSubscribeStillWorks() {
        // A session's room sets are made on its first subscription: before it, every path must see "no rooms".
        SessionHarness.Connection c = gateway.connectAs("alice");

        c.send(ClientFrame.newBuilder().setUnsubscribe(Unsubscribe.newBuilder().setRequestId(1).setRoom("lobby")).build());
        c.awaitFrame(f -> f.hasUnsubscribed() && f.getUnsubscribed().getRequestId() == 1);
        c.send(subscribe(2, "lobby"));
        c.awaitFrame(ServerFrame::hasSubscribed);
        gateway.handOver.deliver("lobby", 5);

        c.awaitFrame(ServerFrame::hasMessage);
        assertThat(gateway.presence.reports).containsExactly("opened alice", "joined lobby");
    }

    @Test
    void aBadRoomNameAndOneRoomTooManyAreRefused() {
        gateway.close();
        SessionSettings s = SessionHarness.settings();
        gateway = new SessionHarness(new SessionSettings(s.connectTimeout(), s.closeTimeout(), 2, s.maxFrameBytes(),
                s.maxPayloadBytes(), s.maxOutboundQueueBytes(), s.maxInflightPublishes(), s.maxResumeBufferBytes()));
        SessionHarness.Connection c = gateway.connectAs("alice");

        c.send(subscribe(1, "a"));
        c.send(subscribe(2, "b"));
        c.send(subscribe(3, "a")); // already subscribed: no new room, still fine
        c.send(subscribe(4, "c"));
        c.send(subscribe(5, "bad room"));

        ServerFrame tooMany = c.awaitFrame(f -> f.hasError() && f.getError().getRequestId() == 4);
        assertThat(tooMany.getError().getCode()).isEqualTo(ErrorCode.TOO_MANY_SUBSCRIPTIONS);
        assertThat(tooMany.getError().getMessage()).isEqualTo("subscriptions: 3 (expected: <= 2)");
        assertThat(tooMany.getError().getRetriable()).isFalse();
        ServerFrame badName = c.awaitFrame(f -> f.hasError() && f.getError().getRequestId() == 5);
        assertThat(badName.getError().getCode()).isEqualTo(ErrorCode.INVALID_ROOM);
        assertThat(c.sink().frames()).filteredOn(ServerFrame::hasSubscribed)
                .extracting(f -> f.getSubscribed().getRequestId()).containsExactly(1, 2, 3);
    }

    @Test
    void aRoomClosedByABackendEndsTheSubscriptionWithItsReason() {
        SessionHarness.Connection c = gateway.connectAs("alice");
        c.send(subscribe(1, "lobby"));
        c.awaitFrame(ServerFrame::hasSubscribed);

        gateway.registry.subscribers("lobby").forEach(s -> s.roomClosed("lobby", "moderated"));

        ServerFrame closed = c.awaitFrame(ServerFrame::hasUnsubscribed);
        assertThat(closed.getUnsubscribed().getRequestId()).isZero();
        assertThat(closed.getUnsubscribed().getReason()).isEqualTo(ErrorCode.ROOM_CLOSED);
        assertThat(closed.getUnsubscribed().getMessage()).isEqualTo("moderated");
        assertThat(gateway.registry.subscribers("lobby")).isEmpty();
    }
}
