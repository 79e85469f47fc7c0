package io.switchboard.router.api;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.switchboard.proto.internal.v1.ControlRequest;
import io.switchboard.proto.internal.v1.ControlResponse;
import io.switchboard.proto.internal.v1.GatewayConnectionsRequest;
import io.switchboard.proto.internal.v1.GatewayConnectionsResponse;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.proto.internal.v1.SendToUserRequest;
import io.switchboard.proto.internal.v1.SendToUserResponse;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import io.switchboard.proto.internal.v1.UserPresenceResponse;
import io.switchboard.service.Failover;
import io.switchboard.service.Futures;
import io.switchboard.service.GrpcFutures;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The internal RPCs SwitchboardApi maps onto, each as a {@link CompletableFuture}. Every call carries a
 * deadline: the current {@link Context}'s (the API caller's) when it has one, else {@code defaultDeadline} from
 * now; and it is started in the current context, so cancelling the API call cancels it. A call to a service
 * without a channel fails UNAVAILABLE "... not configured" without any I/O. Futures fail with a
 * {@link io.grpc.StatusRuntimeException} or {@link io.grpc.StatusException}. Thread-safe (channels are).
 */
final class InternalCalls {
    private final Channel router;
    /** The presence instances; null when presence is not configured. */
    private final Failover<Channel> presence;
    private final Optional<Channel> history;
    private final Duration defaultDeadline;

    /** @param presence one channel per presence instance, tried in turn on UNAVAILABLE; empty: not configured */
    InternalCalls(Channel router, List<Channel> presence, Optional<Channel> history, Duration defaultDeadline) {
        this.router = Objects.requireNonNull(router, "router");
        this.presence = presence.isEmpty() ? null : new Failover<>(presence);
        this.history = Objects.requireNonNull(history, "history");
        this.defaultDeadline = Objects.requireNonNull(defaultDeadline, "defaultDeadline");
    }

    CompletableFuture<PublishResponse> publish(PublishRequest request) {
        return call(router, RouterServiceGrpc.getPublishMethod(), request);
    }

    CompletableFuture<SendToUserResponse> sendToUser(SendToUserRequest request) {
        return call(router, RouterServiceGrpc.getSendToUserMethod(), request);
    }

    CompletableFuture<ControlResponse> sendControl(ControlRequest request) {
        return call(router, RouterServiceGrpc.getSendControlMethod(), request);
    }

    CompletableFuture<RoomMembersResponse> roomMembers(RoomMembersRequest request) {
        return presence("room presence", PresenceServiceGrpc.getRoomMembersMethod(), request);
    }

    CompletableFuture<UserPresenceResponse> userPresence(UserPresenceRequest request) {
        return presence("user presence", PresenceServiceGrpc.getUserPresenceMethod(), request);
    }

    CompletableFuture<GatewayConnectionsResponse> gatewayConnections(GatewayConnectionsRequest request) {
        return presence("connection listing", PresenceServiceGrpc.getGatewayConnectionsMethod(), request);
    }

    CompletableFuture<ReadResponse> read(ReadRequest request) {
        if (history.isEmpty()) {
            return notConfigured("history is not configured (router.history.address is unset)");
        }
        return call(history.get(), HistoryServiceGrpc.getReadMethod(), request);
    }

    private <Q, R> CompletableFuture<R> presence(String what, MethodDescriptor<Q, R> method, Q request) {
        if (presence == null) {
            return notConfigured(what + ": presence is not configured (router.presence.address is unset)");
        }
        // The options once, on the caller's thread: a failover attempt runs where the previous one completed.
        CallOptions options = options();
        return presence.call(channel -> call(channel, method, request, options));
    }

    private static <R> CompletableFuture<R> notConfigured(String description) {
        return CompletableFuture.failedFuture(Status.UNAVAILABLE.withDescription(description).asRuntimeException());
    }

    /** The options of an internal call: the caller's deadline, or the default one. */
    CallOptions options() {
        Deadline callers = Context.current().getDeadline();
        return callers != null
                ? CallOptions.DEFAULT.withDeadline(callers)
                : CallOptions.DEFAULT.withDeadlineAfter(defaultDeadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    private <Q, R> CompletableFuture<R> call(Channel channel, MethodDescriptor<Q, R> method, Q request) {
        return call(channel, method, request, options());
    }

    private <Q, R> CompletableFuture<R> call(Channel channel, MethodDescriptor<Q, R> method, Q request,
                                             CallOptions options) {
        return Futures.started(() -> GrpcFutures.unary(method.getBareMethodName(),
                response -> ClientCalls.asyncUnaryCall(channel.newCall(method, options), request, response)));
    }
}
