package io.switchboard.router.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.rpc.RetryInfo;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.switchboard.proto.api.v1.CloseRoomRequest;
import io.switchboard.proto.api.v1.DisconnectRequest;
import io.switchboard.proto.api.v1.ListConnectionsRequest;
import io.switchboard.proto.api.v1.PublishManyRequest;
import io.switchboard.proto.api.v1.PublishManyResponse;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.PublishResult;
import io.switchboard.proto.api.v1.ReadHistoryRequest;
import io.switchboard.proto.api.v1.ReadHistoryResponse;
import io.switchboard.proto.api.v1.RoomPresenceRequest;
import io.switchboard.proto.api.v1.SendToUserRequest;
import io.switchboard.proto.api.v1.SubscribeUserRequest;
import io.switchboard.proto.api.v1.UnsubscribeUserRequest;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc.SwitchboardApiBlockingStub;
import io.switchboard.proto.api.v1.UserPresenceRequest;
import io.switchboard.proto.client.v1.HistoryDirection;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.ReadDirection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SwitchboardApiServiceTest {
    private ApiHarness harness = ApiHarness.standard();
    private SwitchboardApiBlockingStub all = stub("publish read control");

    private SwitchboardApiBlockingStub stub(String scope) {
        return harness.blocking(ApiHarness.token(scope));
    }

    /** Closes the standard harness this test started with and starts one with these arguments instead. */
    private void restart(ApiConfig config, ApiRateLimiter limiter, boolean withPresenceAndHistory) {
        harness.close();
        harness = new ApiHarness(config, limiter, withPresenceAndHistory);
    }

    @AfterEach
    void close() {
        harness.close();
    }

    private static void assertStatus(ThrowingCallable call, Status.Code code, String description) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(description);
        });
    }

    @Test
    void publishSendsTheServiceAsSenderAndMapsTheAck() {
        PublishResult result = all.publish(PublishRequest.newBuilder().setRoom("chat:a").setId("m-1")
                .setPayload(ByteString.copyFromUtf8("hi")).setContentType("text/plain").build());

        assertThat(result.getRoom()).isEqualTo("chat:a");
        assertThat(result.getId()).isEqualTo("m-1");
        assertThat(result.getPosition()).isEqualTo(100);
        assertThat(result.getEpoch()).isEqualTo(FakeRouter.EPOCH);
        assertThat(result.getStoredTime().getSeconds()).isEqualTo(1_700_000_100L);
        assertThat(result.getDuplicate()).isFalse();
        Envelope env = harness.router.published.getFirst();
        assertThat(env.getSender().getUserId()).isEqualTo("service:billing");
        assertThat(env.getSender().getSessionId()).isEmpty();
        assertThat(env.getSender().getGatewayId()).isEqualTo("api");
        assertThat(env.getPayload().toStringUtf8()).isEqualTo("hi");
        assertThat(env.getContentType()).isEqualTo("text/plain");
        assertThat(env.getTraceId()).isNotEmpty();
        assertThat(env.getReceivedTime().getSeconds()).isEqualTo(ApiHarness.NOW.getEpochSecond());
    }

    @Test
    void publishValidatesBeforeSending() {
        assertStatus(() -> all.publish(PublishRequest.newBuilder().setRoom("chat:a").build()),
                Status.Code.INVALID_ARGUMENT, "id is required");
        assertStatus(() -> all.publish(PublishRequest.newBuilder().setRoom("").setId("m").build()),
                Status.Code.INVALID_ARGUMENT, "room is required");
        // The gateways' delivery probes live there: no backend publishes into them.
        assertStatus(() -> all.publish(PublishRequest.newBuilder().setRoom("switchboard:probe-0").setId("m").build()),
                Status.Code.INVALID_ARGUMENT, "is in the reserved namespace 'switchboard'");
        assertStatus(() -> all.publish(PublishRequest.newBuilder().setRoom("chat:a").setId("m")
                .setConflationKey("a b").build()), Status.Code.INVALID_ARGUMENT, "conflation_key: 'a b'");
        assertThat(harness.router.published).isEmpty();
    }

    @Test
    void publishCarriesTheConflationKeyInTheEnvelope() {
        all.publish(PublishRequest.newBuilder().setRoom("ticker:a").setId("m-1").setConflationKey("btc")
                .setPayload(ByteString.copyFromUtf8("1")).build());
        assertThat(harness.router.published.getFirst().getConflationKey()).isEqualTo("btc");
    }

    @Test
    void routerStatusesPassThroughWithTheirDescriptions() {
        harness.router.failWith.set(Status.RESOURCE_EXHAUSTED.withDescription("payload: 70000 bytes (expected: <= 65536)"));
        assertStatus(() -> all.publish(PublishRequest.newBuilder().setRoom("chat:a").setId("m-1").build()),
                Status.Code.RESOURCE_EXHAUSTED, "payload: 70000 bytes (expected: <= 65536)");
    }

    @Test
    void rateLimitAnswersResourceExhaustedWithRetryInfo() {
        restart(ApiHarness.config(), new ApiRateLimiter(1, Duration.ofHours(1)), true);
        SwitchboardApiBlockingStub stub = stub("publish");
        PublishRequest request = PublishRequest.newBuilder().setRoom("chat:a").setId("m-1").build();
        stub.publish(request);

        assertThatThrownBy(() -> stub.publish(request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("rate limit of service 'billing'");
            com.google.rpc.Status detail = StatusProto.fromThrowable(e);
            assertThat(detail).isNotNull();
            assertThat(detail.getDetailsList()).anySatisfy(any -> {
                assertThat(any.is(RetryInfo.class)).isTrue();
                assertThat(any.unpack(RetryInfo.class).getRetryDelay().getSeconds()).isPositive();
            });
        });
        assertThat(harness.router.published).hasSize(1);
        // Another service has its own budget.
        harness.blocking(Tokens.token("search", "publish", ApiHarness.NOW)).publish(request);
        assertThat(harness.router.published).hasSize(2);
    }

    @Test
    void theCallersDeadlineReachesTheRouter() {
        // Caller 3 s against a 60 s default: the margins tell the two apart however slow the machine is.
        restart(ApiHarness.config(b -> b.set(ApiKeys.DEFAULT_DEADLINE, Duration.ofSeconds(60))),
                new ApiRateLimiter(100, Duration.ofSeconds(1)), true);
        stub("publish").withDeadlineAfter(3, TimeUnit.SECONDS)
                .publish(PublishRequest.newBuilder().setRoom("chat:a").setId("m-1").build());

        Deadline seen = harness.router.lastDeadline.get();
        assertThat(seen).isNotNull();
        assertThat(seen.timeRemaining(TimeUnit.SECONDS)).isLessThan(30);
    }

    @Test
    void withoutADeadlineTheDefaultDeadlineApplies() {
        restart(ApiHarness.config(b -> b.set(ApiKeys.DEFAULT_DEADLINE, Duration.ofSeconds(60))),
                new ApiRateLimiter(100, Duration.ofSeconds(1)), true);
        stub("publish").publish(PublishRequest.newBuilder().setRoom("chat:a").setId("m-1").build());

        Deadline seen = harness.router.lastDeadline.get();
        assertThat(seen).as("the router call carries a deadline").isNotNull();
        assertThat(seen.timeRemaining(TimeUnit.SECONDS)).isBetween(30L, 60L);
    }

    @Test
    void publishManyPublishesOneIdPerRoomInOrder() {
        PublishManyResponse response = all.publishMany(PublishManyRequest.newBuilder().setId("n-1")
                .addRooms("chat:b").addRooms("chat:a").addRooms("bad room").setPayload(ByteString.copyFromUtf8("x"))
                .build());

        assertThat(response.getResultsList()).extracting(PublishResult::getRoom)
                .containsExactly("chat:b", "chat:a", "bad room");
        assertThat(response.getResultsList()).extracting(PublishResult::getId)
                .containsExactly("n-1:chat:b", "n-1:chat:a", "n-1:bad room");
        assertThat(response.getResults(2).getErrorCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(harness.router.published).extracting(Envelope::getId)
                .containsExactlyInAnyOrder("n-1:chat:b", "n-1:chat:a");
        assertStatus(() -> all.publishMany(PublishManyRequest.newBuilder().setId("n-2").build()),
                Status.Code.INVALID_ARGUMENT, "rooms: 0 (expected: 1-100)");
        assertStatus(() -> all.publishMany(PublishManyRequest.newBuilder().setId("n-2").addRooms("a").addRooms("a")
                .build()), Status.Code.INVALID_ARGUMENT, "listed twice");
    }

    @Test
    void sendToUserGoesToTheRouterAsTheService() {
        assertThat(all.sendToUser(SendToUserRequest.newBuilder().setUserId("alice").setId("d-1")
                .setPayload(ByteString.copyFromUtf8("ping")).build()).getDevices()).isEqualTo(2);
        assertThat(harness.router.directs).singleElement().satisfies(r -> {
            assertThat(r.getUserId()).isEqualTo("alice");
            assertThat(r.getSender().getUserId()).isEqualTo("service:billing");
            assertThat(r.getSender().getGatewayId()).isEqualTo("api");
        });
    }

    @Test
    void disconnectAndCloseRoomBecomeControlRecords() {
        assertThat(all.disconnect(DisconnectRequest.newBuilder().setUserId("alice").setReason("bye").build())
                .getConnections()).isEqualTo(3);
        all.closeRoom(CloseRoomRequest.newBuilder().setRoom("chat:a").setReason("archived").build());

        assertThat(harness.router.controls).hasSize(2);
        assertThat(harness.router.controls.get(0).getRecord().getDisconnect().getCode()).isEqualTo(3503);
        assertThat(harness.router.controls.get(0).getRecord().getTime().getSeconds())
                .isEqualTo(ApiHarness.NOW.getEpochSecond());
        assertThat(harness.router.controls.get(1).getRecord().getCloseRoom().getRoom()).isEqualTo("chat:a");
        assertStatus(() -> all.disconnect(DisconnectRequest.newBuilder().setUserId("alice").setCode(1000).build()),
                Status.Code.INVALID_ARGUMENT, "code: 1000 (expected: 0, 3503 or 4000-4999)");
        assertStatus(() -> all.disconnect(DisconnectRequest.newBuilder().setUserId("alice").setReason("x".repeat(121))
                .build()), Status.Code.INVALID_ARGUMENT, "reason: 121 bytes");
        assertThat(harness.router.controls).hasSize(2);
    }

    @Test
    void subscribeAndUnsubscribeUserBecomeUserAddressedControlRecords() {
        assertThat(all.subscribeUser(SubscribeUserRequest.newBuilder().setUserId("alice").setRoom("team:7")
                .setPresence(true).build()).getConnections()).isEqualTo(3);
        assertThat(all.unsubscribeUser(UnsubscribeUserRequest.newBuilder().setUserId("alice").setRoom("team:7")
                .setSessionId("s-2").setReason("left the team").build()).getConnections()).isEqualTo(3);

        assertThat(harness.router.controls).hasSize(2);
        var subscribe = harness.router.controls.get(0).getRecord();
        assertThat(subscribe.getGatewayIdsList()).as("addressed by the router, from presence").isEmpty();
        assertThat(subscribe.getSubscribe().getUserId()).isEqualTo("alice");
        assertThat(subscribe.getSubscribe().getRoom()).isEqualTo("team:7");
        assertThat(subscribe.getSubscribe().getPresence()).isTrue();
        assertThat(subscribe.getTime().getSeconds()).isEqualTo(ApiHarness.NOW.getEpochSecond());
        var unsubscribe = harness.router.controls.get(1).getRecord().getUnsubscribe();
        assertThat(List.of(unsubscribe.getUserId(), unsubscribe.getSessionId(), unsubscribe.getRoom(),
                unsubscribe.getReason())).containsExactly("alice", "s-2", "team:7", "left the team");

        assertStatus(() -> all.subscribeUser(SubscribeUserRequest.newBuilder().setRoom("team:7").build()),
                Status.Code.INVALID_ARGUMENT, "user_id is required");
        assertStatus(() -> all.subscribeUser(SubscribeUserRequest.newBuilder().setUserId("alice").setRoom("#bad")
                .build()), Status.Code.INVALID_ARGUMENT, "room");
        assertStatus(() -> all.unsubscribeUser(UnsubscribeUserRequest.newBuilder().setUserId("alice")
                .setRoom("team:7").setReason("x".repeat(121)).build()), Status.Code.INVALID_ARGUMENT,
                "reason: 121 bytes");
        assertThat(harness.router.controls).hasSize(2);
    }

    @Test
    void presenceReadsMapTheInternalAnswers() {
        var room = all.getRoomPresence(RoomPresenceRequest.newBuilder().setRoom("chat:a").setLimit(10).build());
        assertThat(room.getMembersList()).extracting(m -> m.getUserId()).containsExactly("alice");
        assertThat(room.getUsers()).isEqualTo(7);
        assertThat(room.getConnections()).isEqualTo(9);
        assertThat(room.getNextAfterUser()).isEqualTo("alice");

        var users = all.getUserPresence(UserPresenceRequest.newBuilder().addUserIds("bob").build());
        assertThat(users.getUsers(0).getConnections(0).getGatewayId()).isEqualTo("gw-1");
        assertThat(users.getUsers(0).getConnections(0).getRoomsList()).containsExactly("chat:a");

        var connections = all.listConnections(ListConnectionsRequest.newBuilder().setGatewayId("gw-1").build());
        assertThat(connections.getConnections(0).getSessionId()).isEqualTo("s-bob");
        assertStatus(() -> all.listConnections(ListConnectionsRequest.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT, "gateway_id is required");
    }

    @Test
    void readHistoryMapsEnvelopesToClientMessages() {
        ReadHistoryResponse page = all.readHistory(ReadHistoryRequest.newBuilder().setRoom("chat:a")
                .setDirection(HistoryDirection.BEFORE).setPosition(20).setEpoch("t:1").build());

        assertThat(harness.history.requests).singleElement().satisfies(r -> {
            assertThat(r.getDirection()).isEqualTo(ReadDirection.READ_BEFORE);
            assertThat(r.getPosition()).isEqualTo(20);
            assertThat(r.getLimit()).isEqualTo(SwitchboardApiService.DEFAULT_HISTORY_LIMIT);
        });
        assertThat(page.getRoom()).isEqualTo("chat:a");
        assertThat(page.getEpoch()).isEqualTo("t:1");
        assertThat(page.getHasMore()).isTrue();
        assertThat(page.getMessagesList()).singleElement().satisfies(m -> {
            assertThat(m.getId()).isEqualTo("m-1");
            assertThat(m.getPosition()).isEqualTo(17);
            assertThat(m.getSender()).isEqualTo("carol");
            assertThat(m.getEpoch()).isEqualTo("t:1");
            assertThat(m.getTimestamp().getSeconds()).isEqualTo(99);
            assertThat(m.getPayload().toStringUtf8()).isEqualTo("hi");
        });
        assertStatus(() -> all.readHistory(ReadHistoryRequest.newBuilder().setRoom("chat:a").setLimit(501).build()),
                Status.Code.INVALID_ARGUMENT, "limit: 501 (expected: 0-500)");
    }

    @Test
    void unconfiguredPresenceAndHistoryAnswerUnavailable() {
        restart(ApiHarness.config(), new ApiRateLimiter(100, Duration.ofSeconds(1)), false);
        SwitchboardApiBlockingStub stub = stub("read control");
        assertStatus(() -> stub.getRoomPresence(RoomPresenceRequest.newBuilder().setRoom("chat:a").build()),
                Status.Code.UNAVAILABLE, "presence is not configured");
        assertStatus(() -> stub.readHistory(ReadHistoryRequest.newBuilder().setRoom("chat:a").build()),
                Status.Code.UNAVAILABLE, "history is not configured");
        assertStatus(() -> stub.listConnections(ListConnectionsRequest.newBuilder().setGatewayId("g").build()),
                Status.Code.UNAVAILABLE, "presence is not configured");
        assertThat(harness.service.metrics().calls("ReadHistory", Status.Code.UNAVAILABLE)).isEqualTo(1);
    }
}
