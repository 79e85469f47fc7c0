package io.switchboard.router.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.internal.v1.Connection;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.GatewayConnectionsRequest;
import io.switchboard.proto.internal.v1.GatewayConnectionsResponse;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;
import io.switchboard.proto.internal.v1.Position;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.proto.internal.v1.UserPresence;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import io.switchboard.proto.internal.v1.UserPresenceResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** In-process PresenceService and HistoryService fakes with fixed answers that record their requests. */
final class FakeBackends {
    private FakeBackends() {
    }

    /** Records {@code request} in {@code requests} and answers it with {@code response}, the call's only one. */
    private static <Q, R> void answer(List<? super Q> requests, Q request, StreamObserver<R> responses, R response) {
        requests.add(request);
        responses.onNext(response);
        responses.onCompleted();
    }

    static final class Presence extends PresenceServiceGrpc.PresenceServiceImplBase {
        final List<Object> requests = new CopyOnWriteArrayList<>();

        @Override
        public void roomMembers(RoomMembersRequest request, StreamObserver<RoomMembersResponse> responses) {
            answer(requests, request, responses, RoomMembersResponse.newBuilder()
                    .addMembers(Member.newBuilder().setUserId("alice"))
                    .setHasMore(true).setNextAfterUser("alice").setUsers(7).setConnections(9).build());
        }

        @Override
        public void userPresence(UserPresenceRequest request, StreamObserver<UserPresenceResponse> responses) {
            UserPresenceResponse.Builder b = UserPresenceResponse.newBuilder();
            for (String user : request.getUserIdsList()) {
                b.addUsers(UserPresence.newBuilder().setUserId(user).setStatusText("here")
                        .addConnections(connection(user)));
            }
            answer(requests, request, responses, b.build());
        }

        @Override
        public void gatewayConnections(GatewayConnectionsRequest request,
                                       StreamObserver<GatewayConnectionsResponse> responses) {
            answer(requests, request, responses, GatewayConnectionsResponse.newBuilder()
                    .addConnections(connection("bob")).setHasMore(false).build());
        }

        private static Connection connection(String user) {
            return Connection.newBuilder().setSessionId("s-" + user).setUserId(user).setGatewayId("gw-1")
                    .setClient("test").setOpenedTime(Timestamp.newBuilder().setSeconds(42)).addRooms("chat:a")
                    .build();
        }
    }

    static final class History extends HistoryServiceGrpc.HistoryServiceImplBase {
        final List<ReadRequest> requests = new CopyOnWriteArrayList<>();

        @Override
        public void read(ReadRequest request, StreamObserver<ReadResponse> responses) {
            answer(requests, request, responses, ReadResponse.newBuilder()
                    .setEpoch("t:1")
                    .addMessages(Envelope.newBuilder().setId("m-1").setRoom(request.getRoom())
                            .setSender(Sender.newBuilder().setUserId("carol").setSessionId("s").setGatewayId("g"))
                            .setPayload(ByteString.copyFromUtf8("hi")).setContentType("text/plain")
                            .setPosition(Position.newBuilder().setEpoch("t:1").setOffset(17))
                            .setStoredTime(Timestamp.newBuilder().setSeconds(99)))
                    .setHasMore(true)
                    .build());
        }
    }
}
