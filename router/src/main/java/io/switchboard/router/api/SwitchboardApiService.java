package io.switchboard.router.api;

import io.grpc.Channel;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.proto.Inboxes;
import io.switchboard.proto.Names;
import io.switchboard.proto.PublishLanes;
import io.switchboard.proto.api.v1.CloseRoomRequest;
import io.switchboard.proto.api.v1.CloseRoomResponse;
import io.switchboard.proto.api.v1.DisconnectRequest;
import io.switchboard.proto.api.v1.DisconnectResponse;
import io.switchboard.proto.api.v1.ListConnectionsRequest;
import io.switchboard.proto.api.v1.ListConnectionsResponse;
import io.switchboard.proto.api.v1.PublishManyRequest;
import io.switchboard.proto.api.v1.PublishManyResponse;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.PublishResult;
import io.switchboard.proto.api.v1.ReadHistoryRequest;
import io.switchboard.proto.api.v1.ReadHistoryResponse;
import io.switchboard.proto.api.v1.RoomPresenceRequest;
import io.switchboard.proto.api.v1.RoomPresenceResponse;
import io.switchboard.proto.api.v1.SendToUserRequest;
import io.switchboard.proto.api.v1.SendToUserResponse;
import io.switchboard.proto.api.v1.SubscribeUserRequest;
import io.switchboard.proto.api.v1.SubscribeUserResponse;
import io.switchboard.proto.api.v1.UnsubscribeUserRequest;
import io.switchboard.proto.api.v1.UnsubscribeUserResponse;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import io.switchboard.proto.api.v1.UserPresenceRequest;
import io.switchboard.proto.api.v1.UserPresenceResponse;
import io.switchboard.proto.internal.v1.CloseRoomCommand;
import io.switchboard.proto.internal.v1.ControlRecord;
import io.switchboard.proto.internal.v1.ControlRequest;
import io.switchboard.proto.internal.v1.ControlResponse;
import io.switchboard.proto.internal.v1.DisconnectCommand;
import io.switchboard.proto.internal.v1.GatewayConnectionsRequest;
import io.switchboard.proto.internal.v1.ReadDirection;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.SubscribeCommand;
import io.switchboard.proto.internal.v1.UnsubscribeCommand;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * SwitchboardApi, the public server API for backends: a thin adapter onto the internal RPCs.
 *
 * <ul>
 * <li>Publish / PublishStream / PublishMany: RouterService.Publish with sender {@code "service:<sub>"}, empty
 * session, gateway {@code "api"} (so the router's dedup recognises a backend's resent ids)</li>
 * <li>SendToUser: RouterService.SendToUser; with {@code stored}, RouterService.Publish into the user's inbox
 * ({@link Inboxes}, envelope marked {@code direct}), which no Publish may write to; Disconnect, CloseRoom, SubscribeUser, UnsubscribeUser:
 * RouterService.SendControl (user-addressed commands from presence, like Disconnect)</li>
 * <li>GetRoomPresence, GetUserPresence, ListConnections: PresenceService; ReadHistory: HistoryService.Read</li>
 * </ul>
 *
 * <p>Requests are checked before anything is sent (INVALID_ARGUMENT naming the field); each call then takes
 * permits from the service's rate limit (one per message: a PublishMany takes one per room, a stream one per
 * request; other calls one). Internal statuses pass through with their descriptions; deadlines propagate
 * ({@link InternalCalls}). Serve it through {@link #definition()}, which adds authentication and call metrics
 * to this service only.
 *
 * <p>Thread-safe: stateless per call apart from the thread-safe rate limiter and metrics.
 *
 * <p>Size: one short method per RPC of the public API; the translation of messages is in {@link ApiMessages}, the
 * internal calls in {@link InternalCalls} and the streaming publish in {@link PublishStreamCall}.
 */
public final class SwitchboardApiService extends SwitchboardApiGrpc.SwitchboardApiImplBase implements AutoCloseable {
    /** The most rooms one PublishMany may name. */
    public static final int MAX_PUBLISH_MANY_ROOMS = 100;
    /** History page size when the request says 0, and the largest one (the clients' paging). */
    public static final int DEFAULT_HISTORY_LIMIT = 50;
    public static final int MAX_HISTORY_LIMIT = 500;
    /** The most users one GetUserPresence may name, and the largest presence page. */
    public static final int MAX_PRESENCE_ITEMS = 1_000;
    /** The longest close reason, in UTF-8 bytes (a WebSocket close frame's reason must fit in 123). */
    public static final int MAX_REASON_BYTES = 120;
    static final int DISCONNECTED = 3503;

    private final InternalCalls calls;
    private final ApiConfig config;
    private final InstantSource clock;
    private final ApiRateLimiter rateLimiter;
    private final ApiMetrics metrics;
    private final ServiceTokenVerifier tokens;
    private final ServiceAuthInterceptor auth;

    /**
     * @param router   RouterService (in production an in-process channel to this router's own RouterService)
     * @param presence PresenceService, one channel per instance (tried in turn on UNAVAILABLE); empty when presence
     *                 is not configured (its calls answer UNAVAILABLE)
     * @param history  HistoryService, empty when history is not configured (ReadHistory answers UNAVAILABLE)
     * @param config   the API configuration; must name at least one token key
     * @param clock    for token expiry and received times
     * @param registry where the API's metrics go
     * @throws IllegalArgumentException when no token key is configured or the PEM key file holds no usable key
     */
    public SwitchboardApiService(Channel router, List<Channel> presence, Optional<Channel> history,
                                 ApiConfig config, InstantSource clock, PrometheusRegistry registry) {
        this(router, presence, history, config, clock, registry, ApiRateLimiter.perSecond(config.ratePerSecond()));
    }

    SwitchboardApiService(Channel router, List<Channel> presence, Optional<Channel> history, ApiConfig config,
                          InstantSource clock, PrometheusRegistry registry, ApiRateLimiter rateLimiter) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.calls = new InternalCalls(router, presence, history, config.defaultDeadline());
        this.tokens = ServiceTokenVerifier.from(config, clock);
        this.auth = new ServiceAuthInterceptor(tokens);
        this.rateLimiter = rateLimiter;
        this.metrics = new ApiMetrics(Objects.requireNonNull(registry, "registry"));
    }

    /** This service with authentication (innermost) and call metrics (outermost, so refusals count too). */
    public ServerServiceDefinition definition() {
        return ServerInterceptors.intercept(this, new TraceMetadata(), auth, metrics.interceptor());
    }

    /** The API's metrics (for tests and dashboards). */
    public ApiMetrics metrics() {
        return metrics;
    }

    /** Removes the metrics from the registry and stops the key set's background refreshes. */
    @Override
    public void close() {
        metrics.unregister();
        tokens.close();
    }

    // ---------------------------------------------------------------------------------------------------------
    // publish

    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResult> responses) {
        ServiceIdentity identity = identity();
        Optional<Status> invalid = publishProblem(request);
        if (!admitted(invalid, identity, 1, responses)) {
            return;
        }
        long start = System.nanoTime();
        Map<String, String> trace = TraceMetadata.current();
        respond(calls.publish(ApiMessages.publish(request, identity, trace, clock.instant())).thenApply(r -> {
            metrics.acknowledged(System.nanoTime() - start);
            return ApiMessages.result(request.getRoom(), request.getId(), r);
        }), responses);
    }

    /**
     * Each room's messages of one stream form one {@link PublishLanes lane}: they are started in the order received
     * (the in-process router runs each call's handler on the calling thread), so they are stored in that order, and
     * once one fails the later ones of its room are refused (OUT_OF_SEQUENCE) until the stream's resends start a new
     * lane.
     */
    @Override
    public StreamObserver<PublishRequest> publishStream(StreamObserver<PublishResult> responses) {
        ServiceIdentity identity = identity();
        PublishLanes lanes = new PublishLanes("api/" + UUID.randomUUID());
        return PublishStreamCall.start(responses, config.streamWindow(), new PublishStreamCall.Publisher() {
            @Override
            public Optional<StatusRuntimeException> admit() {
                return rateLimiter.acquire(identity.subject(), 1);
            }

            @Override
            public CompletableFuture<PublishResult> publish(PublishRequest request) {
                return publishResult(identity, request, lanes);
            }
        }, metrics);
    }

    @Override
    public void publishMany(PublishManyRequest request, StreamObserver<PublishManyResponse> responses) {
        ServiceIdentity identity = identity();
        Optional<Status> invalid = publishManyProblem(request);
        if (!admitted(invalid, identity, request.getRoomsCount(), responses)) {
            return;
        }
        List<CompletableFuture<PublishResult>> results = new ArrayList<>(request.getRoomsCount());
        for (String room : request.getRoomsList()) {
            results.add(publishResult(identity, PublishRequest.newBuilder()
                    .setRoom(room)
                    .setId(request.getId() + ":" + room)
                    .setPayload(request.getPayload())
                    .setContentType(request.getContentType())
                    .setConflationKey(request.getConflationKey())
                    .build(), null));
        }
        respond(CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
            PublishManyResponse.Builder b = PublishManyResponse.newBuilder();
            results.forEach(r -> b.addResults(r.join()));
            return b.build();
        }), responses);
    }

    /**
     * One message's result: published, or failed with the reason (never an exceptional future).
     *
     * @param lanes the stream's lanes, which number the message in its room's order; null: no order asked
     */
    private CompletableFuture<PublishResult> publishResult(ServiceIdentity identity, PublishRequest request,
                                                           PublishLanes lanes) {
        Optional<Status> invalid = publishProblem(request);
        if (invalid.isPresent()) {
            return CompletableFuture.completedFuture(
                    ApiStatus.failedResult(request.getRoom(), request.getId(), invalid.get()));
        }
        long start = System.nanoTime();
        io.switchboard.proto.internal.v1.PublishRequest internal =
                ApiMessages.publish(request, identity, TraceMetadata.current(), clock.instant());
        PublishLanes.Ticket ticket = lanes == null ? null : lanes.next(request.getRoom(), request.getId());
        if (ticket != null) {
            internal = internal.toBuilder().setSequence(ticket.sequence()).build();
        }
        return calls.publish(internal)
                .handle((response, failure) -> {
                    Status status = failure == null ? null : ApiStatus.of(failure);
                    if (ticket != null) {
                        lanes.answered(ticket, status == null ? PublishLanes.Outcome.STORED
                                : ApiStatus.retriable(status) ? PublishLanes.Outcome.RETRIABLE
                                : PublishLanes.Outcome.FINAL);
                    }
                    if (status != null) {
                        return ApiStatus.failedResult(request.getRoom(), request.getId(), status);
                    }
                    metrics.acknowledged(System.nanoTime() - start);
                    return ApiMessages.result(request.getRoom(), request.getId(), response);
                });
    }

    // ---------------------------------------------------------------------------------------------------------
    // direct messages and control

    @Override
    public void sendToUser(SendToUserRequest request, StreamObserver<SendToUserResponse> responses) {
        ServiceIdentity identity = identity();
        Optional<Status> invalid = userProblem(request.getUserId())
                .or(() -> Names.idProblem(request.getId()).map(SwitchboardApiService::invalid));
        if (!admitted(invalid, identity, 1, responses)) {
            return;
        }
        if (request.getStored()) {
            String inbox = Inboxes.roomOf(request.getUserId());
            respond(calls.publish(ApiMessages.storedDirect(request, inbox, identity, TraceMetadata.current(),
                    clock.instant())).thenApply(r -> SendToUserResponse.newBuilder()
                    .setDuplicate(r.getDuplicate())
                    .setRoom(inbox)
                    .setPosition(r.getPosition().getOffset())
                    .setEpoch(r.getPosition().getEpoch())
                    .build()), responses);
            return;
        }
        respond(calls.sendToUser(io.switchboard.proto.internal.v1.SendToUserRequest.newBuilder()
                .setUserId(request.getUserId())
                .setId(request.getId())
                .setSender(ApiMessages.sender(identity))
                .setPayload(request.getPayload())
                .setContentType(request.getContentType())
                .build()).thenApply(r -> SendToUserResponse.newBuilder()
                .setDevices(r.getDevices()).setDuplicate(r.getDuplicate()).build()), responses);
    }

    @Override
    public void disconnect(DisconnectRequest request, StreamObserver<DisconnectResponse> responses) {
        ServiceIdentity identity = identity();
        int code = request.getCode() == 0 ? DISCONNECTED : request.getCode();
        Optional<Status> invalid = userProblem(request.getUserId())
                .or(() -> code == DISCONNECTED || (code >= 4000 && code <= 4999)
                        ? Optional.empty()
                        : Optional.of(invalid("code: " + Integer.toUnsignedString(request.getCode())
                                + " (expected: 0, " + DISCONNECTED + " or 4000-4999)")))
                .or(() -> reasonProblem(request.getReason()));
        if (!admitted(invalid, identity, 1, responses)) {
            return;
        }
        respond(sendControl(ControlRecord.newBuilder().setDisconnect(DisconnectCommand.newBuilder()
                        .setUserId(request.getUserId())
                        .setSessionId(request.getSessionId())
                        .setCode(code)
                        .setReason(request.getReason())))
                .thenApply(r -> DisconnectResponse.newBuilder().setConnections(r.getConnections()).build()),
                responses);
    }

    @Override
    public void closeRoom(CloseRoomRequest request, StreamObserver<CloseRoomResponse> responses) {
        ServiceIdentity identity = identity();
        Optional<Status> invalid = roomProblem(request.getRoom()).or(() -> reasonProblem(request.getReason()));
        if (!admitted(invalid, identity, 1, responses)) {
            return;
        }
        respond(sendControl(ControlRecord.newBuilder().setCloseRoom(CloseRoomCommand.newBuilder()
                        .setRoom(request.getRoom()).setReason(request.getReason())))
                .thenApply(r -> CloseRoomResponse.getDefaultInstance()), responses);
    }

    @Override
    public void subscribeUser(SubscribeUserRequest request, StreamObserver<SubscribeUserResponse> responses) {
        ServiceIdentity identity = identity();
        Optional<Status> invalid = userProblem(request.getUserId())
                .or(() -> roomProblem(request.getRoom()))
                .or(() -> Inboxes.isInbox(request.getRoom()) && !Inboxes.isInboxOf(request.getRoom(),
                        request.getUserId()) ? Optional.of(Status.PERMISSION_DENIED.withDescription("room: '"
                        + request.getRoom() + "' is another user's inbox")) : Optional.empty());
        if (!admitted(invalid, identity, 1, responses)) {
            return;
        }
        respond(sendControl(ControlRecord.newBuilder().setSubscribe(SubscribeCommand.newBuilder()
                        .setUserId(request.getUserId())
                        .setSessionId(request.getSessionId())
                        .setRoom(request.getRoom())
                        .setPresence(request.getPresence())))
                .thenApply(r -> SubscribeUserResponse.newBuilder().setConnections(r.getConnections()).build()),
                responses);
    }

    @Override
    public void unsubscribeUser(UnsubscribeUserRequest request, StreamObserver<UnsubscribeUserResponse> responses) {
        ServiceIdentity identity = identity();
        Optional<Status> invalid = userProblem(request.getUserId())
                .or(() -> roomProblem(request.getRoom()))
                .or(() -> reasonProblem(request.getReason()));
        if (!admitted(invalid, identity, 1, responses)) {
            return;
        }
        respond(sendControl(ControlRecord.newBuilder().setUnsubscribe(UnsubscribeCommand.newBuilder()
                        .setUserId(request.getUserId())
                        .setSessionId(request.getSessionId())
                        .setRoom(request.getRoom())
                        .setReason(request.getReason())))
                .thenApply(r -> UnsubscribeUserResponse.newBuilder().setConnections(r.getConnections()).build()),
                responses);
    }

    /** RouterService.SendControl with {@code record}, stamped with this router's time. */
    private CompletableFuture<ControlResponse> sendControl(ControlRecord.Builder record) {
        return calls.sendControl(ControlRequest.newBuilder()
                .setRecord(record.setTime(ApiMessages.timestamp(clock.instant()))).build());
    }

    // ---------------------------------------------------------------------------------------------------------
    // reads

    @Override
    public void getRoomPresence(RoomPresenceRequest request, StreamObserver<RoomPresenceResponse> responses) {
        ServiceIdentity identity = identity();
        Optional<Status> invalid = roomProblem(request.getRoom())
                .or(() -> limitProblem(request.getLimit(), MAX_PRESENCE_ITEMS));
        if (!admitted(invalid, identity, 1, responses)) {
            return;
        }
        respond(calls.roomMembers(RoomMembersRequest.newBuilder()
                .setRoom(request.getRoom())
                .setAfterUser(request.getAfterUser())
                .setLimit(request.getLimit())
                .build()).thenApply(ApiMessages::roomPresence), responses);
    }

    @Override
    public void getUserPresence(UserPresenceRequest request, StreamObserver<UserPresenceResponse> responses) {
        ServiceIdentity identity = identity();
        Optional<Status> invalid = request.getUserIdsCount() > MAX_PRESENCE_ITEMS
                ? Optional.of(invalid("user_ids: " + request.getUserIdsCount() + " (expected: <= "
                        + MAX_PRESENCE_ITEMS + ")"))
                : request.getUserIdsList().stream().map(SwitchboardApiService::userProblem)
                        .flatMap(Optional::stream).findFirst();
        if (!admitted(invalid, identity, 1, responses)) {
            return;
        }
        respond(calls.userPresence(io.switchboard.proto.internal.v1.UserPresenceRequest.newBuilder()
                .addAllUserIds(request.getUserIdsList())
                .build()).thenApply(ApiMessages::userPresence), responses);
    }

    @Override
    public void readHistory(ReadHistoryRequest request, StreamObserver<ReadHistoryResponse> responses) {
        ServiceIdentity identity = identity();
        ReadDirection direction = switch (request.getDirection()) {
            case LATEST -> ReadDirection.READ_LATEST;
            case BEFORE -> ReadDirection.READ_BEFORE;
            case AFTER -> ReadDirection.READ_AFTER;
            case UNRECOGNIZED -> null;
        };
        Optional<Status> invalid = roomProblem(request.getRoom())
                .or(() -> limitProblem(request.getLimit(), MAX_HISTORY_LIMIT))
                .or(() -> direction == null
                        ? Optional.of(invalid("direction: " + request.getDirectionValue()
                                + " (expected: LATEST, BEFORE or AFTER)"))
                        : Optional.empty());
        if (!admitted(invalid, identity, 1, responses)) {
            return;
        }
        respond(calls.read(ReadRequest.newBuilder()
                .setRoom(request.getRoom())
                .setDirection(direction)
                .setPosition(request.getPosition())
                .setEpoch(request.getEpoch())
                .setLimit(request.getLimit() == 0 ? DEFAULT_HISTORY_LIMIT : request.getLimit())
                .build()).thenApply(r -> ApiMessages.history(request.getRoom(), r)), responses);
    }

    @Override
    public void listConnections(ListConnectionsRequest request, StreamObserver<ListConnectionsResponse> responses) {
        ServiceIdentity identity = identity();
        Optional<Status> invalid = request.getGatewayId().isEmpty()
                ? Optional.of(invalid("gateway_id is required"))
                : limitProblem(request.getLimit(), MAX_PRESENCE_ITEMS);
        if (!admitted(invalid, identity, 1, responses)) {
            return;
        }
        respond(calls.gatewayConnections(GatewayConnectionsRequest.newBuilder()
                .setGatewayId(request.getGatewayId())
                .setAfterSession(request.getAfterSession())
                .setLimit(request.getLimit())
                .build()).thenApply(ApiMessages::connections), responses);
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    /** The caller the interceptor verified; without the interceptor there is none and the call is refused. */
    private static ServiceIdentity identity() {
        ServiceIdentity identity = ServiceIdentity.KEY.get();
        if (identity == null) {
            throw Status.UNAUTHENTICATED.withDescription("no verified service identity (serve the API through"
                    + " SwitchboardApiService.definition())").asRuntimeException();
        }
        return identity;
    }

    /**
     * Answers an invalid call with its INVALID_ARGUMENT, or a call over the service's rate with
     * RESOURCE_EXHAUSTED; true when the call may go ahead (its {@code permits} are then taken).
     */
    private boolean admitted(Optional<Status> invalid, ServiceIdentity identity, int permits,
                             StreamObserver<?> responses) {
        if (invalid.isPresent()) {
            responses.onError(invalid.get().asRuntimeException());
            return false;
        }
        Optional<StatusRuntimeException> refusal = rateLimiter.acquire(identity.subject(), permits);
        refusal.ifPresent(responses::onError);
        return refusal.isEmpty();
    }

    private static <R> void respond(CompletableFuture<R> result, StreamObserver<R> responses) {
        result.whenComplete((value, failure) -> {
            if (failure != null) {
                responses.onError(ApiStatus.of(failure).asRuntimeException());
            } else {
                responses.onNext(value);
                responses.onCompleted();
            }
        });
    }

    private static Optional<Status> publishProblem(PublishRequest request) {
        return Names.clientRoomProblem(request.getRoom())
                .or(() -> Names.idProblem(request.getId()))
                .or(() -> Names.conflationKeyProblem(request.getConflationKey()))
                .map(SwitchboardApiService::invalid)
                .or(() -> Inboxes.isInbox(request.getRoom()) ? Optional.of(Status.PERMISSION_DENIED.withDescription(
                        "room: '" + request.getRoom() + "' is an inbox (expected: SendToUser with stored)"))
                        : Optional.empty());
    }

    private static Optional<Status> publishManyProblem(PublishManyRequest request) {
        int rooms = request.getRoomsCount();
        if (rooms == 0 || rooms > MAX_PUBLISH_MANY_ROOMS) {
            return Optional.of(invalid("rooms: " + rooms + " (expected: 1-" + MAX_PUBLISH_MANY_ROOMS + ")"));
        }
        Optional<Status> id = Names.idProblem(request.getId())
                .or(() -> Names.conflationKeyProblem(request.getConflationKey()))
                .map(SwitchboardApiService::invalid);
        if (id.isPresent()) {
            return id;
        }
        Set<String> seen = new HashSet<>();
        for (String room : request.getRoomsList()) {
            if (!seen.add(room)) {
                return Optional.of(invalid("rooms: '" + room + "' is listed twice (expected: distinct rooms)"));
            }
        }
        return Optional.empty();
    }

    private static Optional<Status> roomProblem(String room) {
        return Names.clientRoomProblem(room).map(SwitchboardApiService::invalid);
    }

    private static Optional<Status> userProblem(String userId) {
        return userId.isEmpty() ? Optional.of(invalid("user_id is required")) : Optional.empty();
    }

    private static Optional<Status> reasonProblem(String reason) {
        int bytes = reason.getBytes(StandardCharsets.UTF_8).length;
        return bytes > MAX_REASON_BYTES
                ? Optional.of(invalid("reason: " + bytes + " bytes (expected: <= " + MAX_REASON_BYTES + ")"))
                : Optional.empty();
    }

    private static Optional<Status> limitProblem(int limit, int max) {
        return Integer.compareUnsigned(limit, max) > 0
                ? Optional.of(invalid("limit: " + Integer.toUnsignedString(limit) + " (expected: 0-" + max + ")"))
                : Optional.empty();
    }

    private static Status invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description);
    }
}
