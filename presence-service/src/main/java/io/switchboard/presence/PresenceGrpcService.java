package io.switchboard.presence;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.presence.shards.Ownership;
import io.switchboard.presence.state.PresenceState;
import io.switchboard.proto.internal.v1.GatewayConnectionsRequest;
import io.switchboard.proto.internal.v1.GatewayConnectionsResponse;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.ReportRequest;
import io.switchboard.proto.internal.v1.ReportResponse;
import io.switchboard.proto.internal.v1.RoomCountsRequest;
import io.switchboard.proto.internal.v1.RoomCountsResponse;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.SyncRequest;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import io.switchboard.proto.internal.v1.UserPresenceResponse;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gRPC face of {@link PresenceState}: validates each request ({@code INVALID_ARGUMENT} with a description,
 * nothing applied) and maps outcomes to responses and metrics. One of several instances ({@code
 * presence.shards.enabled}) answers member pages only for the rooms it owns and no query during its warm-up; the
 * refusals are {@code UNAVAILABLE}, on which callers ask the next instance. Thread-safe (the state is).
 */
final class PresenceGrpcService extends PresenceServiceGrpc.PresenceServiceImplBase {
    private final PresenceState state;
    private final PresenceMetrics metrics;
    private final int leaseMillis;
    private final Ownership ownership;
    private final boolean oneOfSeveral;

    /**
     * @param ownership    the rooms whose member pages this instance answers
     * @param oneOfSeveral whether other instances share the work: then a warming-up instance answers no query, as
     *                     another one knows better
     */
    PresenceGrpcService(PresenceState state, PresenceMetrics metrics, Duration leaseTtl, Ownership ownership,
                        boolean oneOfSeveral) {
        this.state = Objects.requireNonNull(state, "state");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.leaseMillis = (int) leaseTtl.toMillis();
        this.ownership = Objects.requireNonNull(ownership, "ownership");
        this.oneOfSeveral = oneOfSeveral;
    }

    @Override
    public void report(ReportRequest request, StreamObserver<ReportResponse> responses) {
        answer(PresenceRequests.report(request), responses, () -> {
            PresenceState.Outcome outcome = state.report(request);
            metrics.report(outcome);
            return response(outcome.resyncRequired());
        });
    }

    @Override
    public void sync(SyncRequest request, StreamObserver<ReportResponse> responses) {
        answer(PresenceRequests.sync(request), responses, () -> {
            state.sync(request);
            metrics.sync();
            return response(false);
        });
    }

    @Override
    public void roomMembers(RoomMembersRequest request, StreamObserver<RoomMembersResponse> responses) {
        Optional<String> problem = PresenceRequests.roomMembers(request);
        if (problem.isEmpty() && state.warmingUp()) {
            // Retriable: clients keep the list they have and ask again (docs/protocol.md section 11.1).
            responses.onError(warmingUp());
            return;
        }
        if (problem.isEmpty() && !ownership.owns(request.getRoom())) {
            // Only the owner's pages match the records clients receive (its epoch and versions).
            responses.onError(Status.UNAVAILABLE.withDescription("this presence instance does not own the room's"
                    + " shard; ask another").asRuntimeException());
            return;
        }
        answer(problem, responses, () -> state.roomMembers(request.getRoom(), request.getAfterUser(),
                PresenceRequests.pageSize(request.getLimit())));
    }

    @Override
    public void roomCounts(RoomCountsRequest request, StreamObserver<RoomCountsResponse> responses) {
        answerOnceWarm(PresenceRequests.roomCounts(request), responses, () -> {
            RoomCountsResponse.Builder response = RoomCountsResponse.newBuilder();
            request.getRoomsList().forEach(room -> response.addCounts(state.roomCount(room)));
            return response.build();
        });
    }

    @Override
    public void userPresence(UserPresenceRequest request, StreamObserver<UserPresenceResponse> responses) {
        answerOnceWarm(PresenceRequests.userPresence(request), responses, () -> {
            UserPresenceResponse.Builder response = UserPresenceResponse.newBuilder();
            request.getUserIdsList().forEach(user -> response.addUsers(state.userPresence(user)));
            return response.build();
        });
    }

    @Override
    public void gatewayConnections(GatewayConnectionsRequest request,
                                   StreamObserver<GatewayConnectionsResponse> responses) {
        answerOnceWarm(PresenceRequests.gatewayConnections(request), responses, () -> state.gatewayConnections(
                request.getGatewayId(), request.getAfterSession(), PresenceRequests.pageSize(request.getLimit())));
    }

    private static RuntimeException warmingUp() {
        return Status.UNAVAILABLE.withDescription("presence is collecting the gateways' state after its start; retry"
                + " shortly").asRuntimeException();
    }

    private ReportResponse response(boolean resyncRequired) {
        return ReportResponse.newBuilder().setResyncRequired(resyncRequired).setLeaseMs(leaseMillis).build();
    }

    /**
     * {@link #answer}, except that an instance that shares the work with others refuses every query while it warms
     * up (retriable: another instance answers).
     */
    private <T> void answerOnceWarm(Optional<String> problem, StreamObserver<T> responses, Supplier<T> call) {
        if (oneOfSeveral && state.warmingUp()) {
            responses.onError(warmingUp());
            return;
        }
        answer(problem, responses, call);
    }

    private static <T> void answer(Optional<String> problem, StreamObserver<T> responses, Supplier<T> call) {
        if (problem.isPresent()) {
            responses.onError(Status.INVALID_ARGUMENT.withDescription(problem.get()).asRuntimeException());
            return;
        }
        T response;
        try {
            response = call.get();
        } catch (RuntimeException e) {
            // A bug, not the caller's fault: say so with a status rather than a raw exception.
            System.getLogger(PresenceGrpcService.class.getName()).log(System.Logger.Level.ERROR,
                    "presence call failed", e);
            responses.onError(Status.INTERNAL.withDescription("presence: " + e).asRuntimeException());
            return;
        }
        responses.onNext(response);
        responses.onCompleted();
    }
}
