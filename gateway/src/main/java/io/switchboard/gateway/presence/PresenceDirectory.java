package io.switchboard.gateway.presence;

import java.util.concurrent.CompletableFuture;

import io.grpc.Status;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import io.switchboard.proto.internal.v1.UserPresenceResponse;

/** Reads room member lists from the presence service. Implementations are thread-safe and never block the caller. */
public interface PresenceDirectory {
    /** Presence not configured: every query fails with UNAVAILABLE. */
    static PresenceDirectory unconfigured() {
        return request -> CompletableFuture.failedFuture(
                Status.UNAVAILABLE.withDescription("presence is not configured").asRuntimeException());
    }

    /** One page of a room's members; the future fails with a gRPC {@code StatusRuntimeException}. */
    CompletableFuture<RoomMembersResponse> roomMembers(RoomMembersRequest request);

    /**
     * Status and connections of users, across the cluster; the future fails with a gRPC
     * {@code StatusRuntimeException} (UNAVAILABLE when presence is not configured).
     */
    default CompletableFuture<UserPresenceResponse> userPresence(UserPresenceRequest request) {
        return CompletableFuture.failedFuture(
                Status.UNAVAILABLE.withDescription("presence is not configured").asRuntimeException());
    }
}
