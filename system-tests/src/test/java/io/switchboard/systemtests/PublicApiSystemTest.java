package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.switchboard.proto.api.v1.DisconnectRequest;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.PublishResult;
import io.switchboard.proto.api.v1.SendToUserRequest;
import io.switchboard.proto.api.v1.SendToUserResponse;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.UserMessage;
import io.switchboard.testkit.DeliveryChecker;
import io.switchboard.testkit.WsTestClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The public SwitchboardApi as a backend uses it over real gRPC: a publish stream cut mid-way and resumed
 * without loss or duplicates, messages to every device of a user, disconnects with an application close code,
 * and its authentication and authorization.
 */
class PublicApiSystemTest {
    private static final int MESSAGES = 300;
    private static final int CUT_AFTER = 100;
    private static final int ORDERED_MESSAGES = 1_000;

    @RegisterExtension
    static final ApiCluster API = new ApiCluster(false, "backend-test", "publish read control");

    private static Peer connect(int gateway, String user) {
        return API.connect(gateway, user, "api:*");
    }

    /** Message {@code i} of {@code room}; ids are per service, so each room gets its own id prefix. */
    private static PublishRequest message(String room, int i) {
        String id = room.replace(':', '-') + "-%03d".formatted(i);
        return PublishRequest.newBuilder().setRoom(room).setId(id).setPayload(ByteString.copyFromUtf8("payload " + i))
                .setContentType("text/plain").build();
    }

    /** One PublishStream: sends every request, cancels the call after {@code cutAfter} results (0: never). */
    private static final class Stream implements ClientResponseObserver<PublishRequest, PublishResult> {
        final List<PublishResult> results = new CopyOnWriteArrayList<>();
        final CompletableFuture<Status> ended = new CompletableFuture<>();
        private final int cutAfter;
        private ClientCallStreamObserver<PublishRequest> requests;

        Stream(int cutAfter) {
            this.cutAfter = cutAfter;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<PublishRequest> requestStream) {
            this.requests = requestStream;
        }

        @Override
        public void onNext(PublishResult result) {
            if (ended.isDone()) {
                return;
            }
            results.add(result);
            if (results.size() == cutAfter) {
                // As a backend crash or network cut would: whatever the server had read but not answered is
                // now of unknown outcome.
                ended.complete(Status.CANCELLED);
                requests.cancel("cut by the test", null);
            }
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            ended.complete(Status.OK);
        }
    }

    @Test
    void aPublishStreamCutMidwayAndResentDeliversEveryMessageOnceInSendOrder() throws Exception {
        String room = "api:stream";
        DeliveryChecker checker = new DeliveryChecker();
        try (Peer first = connect(0, "reader-1"); Peer second = connect(1, "reader-2")) {
            first.subscribe(room, false);
            second.subscribe(room, false);
            List<PublishRequest> all = IntStream.range(0, MESSAGES).mapToObj(i -> message(room, i)).toList();

            Stream cut = new Stream(CUT_AFTER);
            var requests = API.api().async().publishStream(cut);
            all.forEach(requests::onNext);
            assertThat(cut.ended.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.CANCELLED);
            assertThat(cut.results).hasSize(CUT_AFTER);
            assertThat(cut.results).extracting(PublishResult::getId)
                    .containsExactlyElementsOf(all.subList(0, CUT_AFTER).stream().map(PublishRequest::getId).toList());

            Set<String> acknowledged = new LinkedHashSet<>();
            for (PublishResult r : cut.results) {
                assertThat(r.getErrorCode()).as("result of %s: %s", r.getId(), r).isZero();
                checker.acked(room, r.getId(), r.getPosition());
                acknowledged.add(r.getId());
            }

            // A new stream with everything unacknowledged, same ids: what the first stream stored but never
            // answered comes back as a duplicate at its original position.
            List<PublishRequest> resend = all.stream().filter(r -> !acknowledged.contains(r.getId())).toList();
            Stream resumed = new Stream(0);
            var again = API.api().async().publishStream(resumed);
            resend.forEach(again::onNext);
            again.onCompleted();
            assertThat(resumed.ended.get(60, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
            assertThat(resumed.results).extracting(PublishResult::getId)
                    .containsExactlyElementsOf(resend.stream().map(PublishRequest::getId).toList());
            for (PublishResult r : resumed.results) {
                assertThat(r.getErrorCode()).as("result of %s: %s", r.getId(), r).isZero();
                checker.acked(room, r.getId(), r.getPosition());
            }
            assertThat(checker.ackedCount()).isEqualTo(MESSAGES);

            // A last message after the stream: a room's messages arrive in order, so once it is there, every
            // copy of an earlier one (a duplicate included) has arrived too.
            PublishResult sentinel = API.api().blocking().publish(message(room, MESSAGES));
            checker.acked(room, sentinel.getId(), sentinel.getPosition());
            for (Peer subscriber : List.of(first, second)) {
                subscriber.awaitFrame(f -> f.hasMessage() && f.getMessage().getId().equals(sentinel.getId()));
                DeliveryChecker.Subscriber s = checker.subscriber(subscriber.user(), Set.of(room));
                List<Message> received = subscriber.all(ServerFrame::hasMessage).stream()
                        .map(ServerFrame::getMessage).filter(m -> m.getRoom().equals(room)).toList();
                received.forEach(s::received);
                assertThat(s.receivedCount()).isEqualTo(MESSAGES + 1);
                // The backend's send order: the first stream's messages, then the resent ones in the order sent.
                assertThat(received.stream().map(Message::getId).distinct().toList())
                        .as("%s's messages by first arrival", subscriber.user())
                        .containsExactlyElementsOf(sentIds(all, sentinel.getId()));
            }
            assertThat(checker.violations()).isEmpty();
            assertThat(checker.allDelivered()).isTrue();
            System.out.printf("PublishStream cut after %d results: %d resent, %d of them duplicates%n", CUT_AFTER,
                    resend.size(), resumed.results.stream().filter(PublishResult::getDuplicate).count());
        }
    }

    @Test
    void aThousandMessagesOfOnePublishStreamReachAWebSocketSubscriberInSendOrder() throws Exception {
        String room = "api:ordered";
        try (Peer reader = connect(1, "reader-3")) {
            reader.subscribe(room, false);
            List<PublishRequest> all = IntStream.range(0, ORDERED_MESSAGES).mapToObj(i -> message(room, i)).toList();

            Stream stream = new Stream(0);
            var requests = API.api().async().publishStream(stream);
            all.forEach(requests::onNext);
            requests.onCompleted();
            assertThat(stream.ended.get(60, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
            assertThat(stream.results).extracting(PublishResult::getErrorCode).containsOnly(0);

            String last = all.getLast().getId();
            reader.awaitFrame(f -> f.hasMessage() && f.getMessage().getId().equals(last));
            List<String> received = reader.all(ServerFrame::hasMessage).stream().map(ServerFrame::getMessage)
                    .filter(m -> m.getRoom().equals(room)).map(Message::getId).toList();
            assertThat(received).containsExactlyElementsOf(all.stream().map(PublishRequest::getId).toList());
            assertThat(stream.results).extracting(PublishResult::getPosition).isSorted();
        }
    }

    /** The ids of {@code sent} in order, then {@code also}. */
    private static List<String> sentIds(List<PublishRequest> sent, String also) {
        List<String> ids = new ArrayList<>(sent.stream().map(PublishRequest::getId).toList());
        ids.add(also);
        return ids;
    }

    @Test
    void sendToUserReachesEveryDeviceAcrossGateways() {
        try (Peer phone = connect(0, "frank"); Peer laptop = connect(1, "frank")) {
            await().atMost(Peer.WAIT).until(() -> API.api().connections("frank") == 2);
            SendToUserResponse response = API.api().blocking().sendToUser(SendToUserRequest.newBuilder()
                    .setUserId("frank").setId("notice-1").setPayload(ByteString.copyFromUtf8("your order shipped"))
                    .setContentType("text/plain").build());
            assertThat(response.getDevices()).isEqualTo(2);
            assertThat(response.getDuplicate()).isFalse();
            for (Peer device : List.of(phone, laptop)) {
                UserMessage m = device.awaitFrame(f -> f.hasUserMessage()).getUserMessage();
                assertThat(m.getId()).isEqualTo("notice-1");
                assertThat(m.getSender()).isEqualTo("service:backend-test");
                assertThat(m.getPayload().toStringUtf8()).isEqualTo("your order shipped");
            }
            SendToUserResponse offline = API.api().blocking().sendToUser(SendToUserRequest.newBuilder()
                    .setUserId("nobody-here").setId("notice-2").setPayload(ByteString.copyFromUtf8("?")).build());
            assertThat(offline.getDevices()).isZero();
        }
    }

    @Test
    void disconnectClosesTheTargetConnectionWithTheGivenCode() {
        try (Peer phone = connect(0, "gina"); Peer laptop = connect(1, "gina")) {
            await().atMost(Peer.WAIT).until(() -> API.api().connections("gina") == 2);
            API.api().blocking().disconnect(DisconnectRequest.newBuilder().setUserId("gina")
                    .setSessionId(phone.sessionId()).setCode(4001).setReason("banned for spam").build());
            WsTestClient.Closed closed = phone.ws().awaitClose(Peer.WAIT);
            assertThat(closed.code()).isEqualTo(4001);
            assertThat(closed.reason()).isEqualTo("banned for spam");

            // Only that session: the other device still answers.
            laptop.send(ClientFrame.newBuilder().setPing(Ping.newBuilder().setNonce(42)).build());
            laptop.awaitFrame(f -> f.hasPong() && f.getPong().getNonce() == 42);
            assertThat(laptop.ws().isOpen()).isTrue();

            // The whole user, default code: 3503 DISCONNECTED.
            API.api().blocking().disconnect(DisconnectRequest.newBuilder().setUserId("gina").setReason("bye").build());
            WsTestClient.Closed all = laptop.ws().awaitClose(Peer.WAIT);
            assertThat(all.code()).isEqualTo(3503);
            assertThat(all.reason()).isEqualTo("bye");
        }
    }

    @Test
    void callsNeedAValidServiceTokenWithTheMethodsScope() {
        PublishRequest request = message("api:auth", 0);
        assertThatThrownBy(() -> new ServiceApi(API.channel(), null).blocking().publish(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        // A user's token is signed with the gateways' secret, not the API's.
        assertThatThrownBy(() -> new ServiceApi(API.channel(), SystemCluster.USERS.token("mallory")).blocking().publish(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        ServiceApi readOnly = new ServiceApi(API.channel(), SystemCluster.serviceToken("analytics", "read"));
        assertThatThrownBy(() -> readOnly.blocking().publish(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> readOnly.blocking().disconnect(DisconnectRequest.newBuilder().setUserId("x").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        // The same read-only token may read.
        assertThat(readOnly.connections("nobody")).isZero();
        // With the right scope the same request goes through.
        PublishResult ok = API.api().blocking().publish(request);
        assertThat(ok.getId()).isEqualTo(request.getId());
    }

    @Test
    void healthAnswersWithoutAToken() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(API.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("switchboard.api.v1.SwitchboardApi").build())
                .getStatus()).isEqualTo(ServingStatus.SERVING);
    }
}
