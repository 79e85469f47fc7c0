package io.switchboard.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresencePage;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PresenceQueryHandlerTest {
    @Test
    void aPageCarriesTheVersionAndEpochItShows() {
        AtomicReference<RoomMembersRequest> asked = new AtomicReference<>();
        PresenceQueryHandler handler = new PresenceQueryHandler(request -> {
            asked.set(request);
            return CompletableFuture.completedFuture(RoomMembersResponse.newBuilder()
                    .addMembers(Member.newBuilder().setUserId("alice").setDevices(2))
                    .setUsers(1).setConnections(2).setVersion(42).setEpoch("e7").build());
        }, () -> true);
        ServerFrame frame = handler.query(PresenceQuery.newBuilder().setRequestId(5).setRoom("chat:a").build()).join();
        assertThat(asked.get().getLimit()).isEqualTo(100);
        PresencePage page = frame.getPresencePage();
        assertThat(page.getRequestId()).isEqualTo(5);
        assertThat(page.getRoom()).isEqualTo("chat:a");
        assertThat(page.getMembersList()).extracting(Member::getUserId).containsExactly("alice");
        assertThat(page.getVersion()).isEqualTo(42);
        assertThat(page.getEpoch()).isEqualTo("e7");
    }

    @Test
    void aWarmingUpPresenceServiceIsARetriableUnavailable() {
        PresenceQueryHandler handler = new PresenceQueryHandler(request -> CompletableFuture.failedFuture(
                Status.UNAVAILABLE.withDescription("presence is collecting the gateways' state").asRuntimeException()),
                () -> true);
        ServerFrame frame = handler.query(PresenceQuery.newBuilder().setRequestId(6).setRoom("chat:a").build()).join();
        assertThat(frame.getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(frame.getError().getRetriable()).isTrue();
        assertThat(frame.getError().getRequestId()).isEqualTo(6);
    }

    @Test
    void noPageBeforeThisGatewayRelaysPresenceEvents() {
        AtomicReference<RoomMembersRequest> asked = new AtomicReference<>();
        PresenceQueryHandler handler = new PresenceQueryHandler(request -> {
            asked.set(request);
            return CompletableFuture.completedFuture(RoomMembersResponse.getDefaultInstance());
        }, () -> false);
        ServerFrame frame = handler.query(PresenceQuery.newBuilder().setRequestId(7).setRoom("chat:a").build()).join();
        assertThat(frame.getError().getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(frame.getError().getRetriable()).isTrue();
        assertThat(asked.get()).as("the presence service is not asked").isNull();
    }
}
