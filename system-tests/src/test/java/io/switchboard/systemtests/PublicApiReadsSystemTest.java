package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.switchboard.proto.api.v1.CloseRoomRequest;
import io.switchboard.proto.api.v1.Connection;
import io.switchboard.proto.api.v1.ListConnectionsRequest;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.PublishResult;
import io.switchboard.proto.api.v1.ReadHistoryRequest;
import io.switchboard.proto.api.v1.RoomPresenceRequest;
import io.switchboard.proto.api.v1.RoomPresenceResponse;
import io.switchboard.proto.api.v1.UserPresence;
import io.switchboard.proto.api.v1.UserPresenceRequest;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryDirection;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.client.v1.ServerFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The public API's reads and room control against a running platform (presence and history included): what a
 * backend publishes is read back through ReadHistory in order; room and user presence and a gateway's connection
 * list name the users who are connected, on the gateways they are on; CloseRoom ends every subscription.
 */
class PublicApiReadsSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final ApiCluster API = new ApiCluster(true, "reads-test", "publish read control");

    private static Peer connect(int gateway, String user) {
        return API.connect(gateway, user, "api:*");
    }

    @Test
    void historyPresenceAndConnectionsReadBackWhatIsTrue() {
        String room = "api:reads";
        try (Peer alice = connect(0, "reads-alice"); Peer bob = connect(1, "reads-bob")) {
            alice.subscribe(room, true);
            bob.subscribe(room, false);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                PublishResult result = API.api().blocking().publish(PublishRequest.newBuilder().setRoom(room)
                        .setId("reads-" + i).setPayload(ByteString.copyFromUtf8("m" + i)).build());
                ids.add(result.getId());
            }

            // History is fed from Kafka asynchronously: wait until it has all five, then check order and content.
            await().atMost(WAIT).untilAsserted(() -> assertThat(API.api().blocking().readHistory(ReadHistoryRequest
                    .newBuilder().setRoom(room).setDirection(HistoryDirection.LATEST).setLimit(10).build())
                    .getMessagesList()).extracting(Message::getId).containsExactlyElementsOf(ids));
            List<Message> page = API.api().blocking().readHistory(ReadHistoryRequest.newBuilder().setRoom(room)
                    .setDirection(HistoryDirection.LATEST).setLimit(10).build()).getMessagesList();
            assertThat(page).extracting(Message::getSender).containsOnly("service:reads-test");
            assertThat(page).extracting(Message::getPosition).isSorted();
            List<Message> earlier = API.api().blocking().readHistory(ReadHistoryRequest.newBuilder().setRoom(room)
                    .setDirection(HistoryDirection.BEFORE).setPosition(page.get(2).getPosition())
                    .setEpoch(page.get(2).getEpoch()).setLimit(10).build()).getMessagesList();
            assertThat(earlier).extracting(Message::getId).containsExactly("reads-0", "reads-1");

            // Presence: both members, each on the gateway its connection is on. A presence service that started
            // moments ago answers UNAVAILABLE (retriable) until it has every gateway's state.
            await().atMost(WAIT).ignoreExceptionsMatching(e -> Status.fromThrowable(e).getCode() == Status.Code.UNAVAILABLE)
                    .untilAsserted(() -> {
                RoomPresenceResponse members = API.api().blocking().getRoomPresence(
                        RoomPresenceRequest.newBuilder().setRoom(room).setLimit(10).build());
                assertThat(members.getMembersList()).extracting(Member::getUserId)
                        .containsExactly("reads-alice", "reads-bob");
                assertThat(members.getUsers()).isEqualTo(2);
            });
            UserPresence alicePresence = API.api().blocking().getUserPresence(UserPresenceRequest.newBuilder()
                    .addUserIds("reads-alice").addUserIds("reads-nobody").build()).getUsersList().stream()
                    .filter(u -> u.getUserId().equals("reads-alice")).findFirst().orElseThrow();
            assertThat(alicePresence.getStatus()).isEqualTo(PresenceStatus.ONLINE);
            assertThat(alicePresence.getConnectionsList()).singleElement().satisfies(c -> {
                assertThat(c.getSessionId()).isEqualTo(alice.sessionId());
                assertThat(c.getGatewayId()).isEqualTo(alice.gatewayId());
                assertThat(c.getRoomsList()).contains(room);
            });
            List<Connection> onBobsGateway = API.api().blocking().listConnections(ListConnectionsRequest.newBuilder()
                    .setGatewayId(bob.gatewayId()).setLimit(1000).build()).getConnectionsList();
            assertThat(onBobsGateway).extracting(Connection::getSessionId)
                    .contains(bob.sessionId()).doesNotContain(alice.sessionId());

            // CloseRoom: every subscriber, on both gateways, is told and unsubscribed.
            API.api().blocking().closeRoom(CloseRoomRequest.newBuilder().setRoom(room).setReason("moderated").build());
            for (Peer peer : List.of(alice, bob)) {
                ServerFrame closed = peer.awaitFrame(f -> f.hasUnsubscribed() && f.getUnsubscribed().getRoom().equals(room));
                assertThat(closed.getUnsubscribed().getRequestId()).isZero();
                assertThat(closed.getUnsubscribed().getReason()).isEqualTo(ErrorCode.ROOM_CLOSED);
                assertThat(closed.getUnsubscribed().getMessage()).isEqualTo("moderated");
            }
        }
    }
}
