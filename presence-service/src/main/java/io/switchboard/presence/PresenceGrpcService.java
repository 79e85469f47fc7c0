package io.switchboard.presence;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
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
 * nothing applied) and maps outcomes to responses and metrics. Thread-safe (the state is).
 */
final class PresenceGrpcService extends PresenceServiceGrpc.PresenceServiceImplBase {
    private final PresenceState state;
    private final PresenceMetrics metrics;
    private final int leaseMillis;

    PresenceGrpcService(PresenceState state, PresenceMetrics metrics, Duration leaseTtl) {
        this.state = Objects.requireNonNull(state, "state");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.leaseMillis = (int) leaseTtl.toMillis();
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
            responses.onError(Status.UNAVAILABLE.withDescription("presence is collecting the gateways' state after"
                    + " its start; retry shortly").asRuntimeException());
            return;
        }
        answer(problem, responses, () -> state.roomMembers(request.getRoom(), request.getAfterUser(),
                PresenceRequests.pageSize(request.getLimit())));
    }

    @Override
    public void roomCounts(RoomCountsRequest request, StreamObserver<RoomCountsResponse> responses) {
        answer(PresenceRequests.roomCounts(request), responses, () -> {
            RoomCountsResponse.Builder response = RoomCountsResponse.newBuilder();
            request.getRoomsList().forEach(room -> response.addCounts(state.roomCount(room)));
            return response.build();
        });
    }

    @Override
    public void userPresence(UserPresenceRequest request, StreamObserver<UserPresenceResponse> responses) {
        answer(PresenceRequests.userPresence(request), responses, () -> {
            UserPresenceResponse.Builder response = UserPresenceResponse.newBuilder();
            request.getUserIdsList().forEach(user -> response.addUsers(state.userPresence(user)));
            return response.build();
        });
    }

    @Override
    public void gatewayConnections(GatewayConnectionsRequest request,
                                   StreamObserver<GatewayConnectionsResponse> responses) {
        answer(PresenceRequests.gatewayConnections(request), responses, () -> state.gatewayConnections(
                request.getGatewayId(), request.getAfterSession(), PresenceRequests.pageSize(request.getLimit())));
    }

    private ReportResponse response(boolean resyncRequired) {
        return ReportResponse.newBuilder().setResyncRequired(resyncRequired).setLeaseMs(leaseMillis).build();
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
