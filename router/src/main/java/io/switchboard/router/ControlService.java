package io.switchboard.router;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.Connection;
import io.switchboard.proto.internal.v1.ControlRecord;
import io.switchboard.proto.internal.v1.ControlRequest;
import io.switchboard.proto.internal.v1.ControlResponse;
import io.switchboard.proto.internal.v1.UserPresence;
import io.switchboard.service.Futures;

import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code RouterService.SendControl}: writes a user-addressed command (disconnect, subscribe, unsubscribe; keyed
 * by user id) or a close_room (keyed by room) {@link ControlRecord} to the control topic and answers once Kafka
 * acknowledged; {@code time} is the router's. A user-addressed command without {@code gateway_ids} is addressed
 * from a presence lookup (only the named session's connection when {@code session_id} is set); no matching
 * connection means no record and {@code connections=0}. One with explicit {@code gateway_ids} is written as
 * given without a lookup ({@code connections=0}: not looked up). A close_room without {@code gateway_ids} goes to
 * every gateway. Control records are idempotent for gateways, so there is no dedup. Thread-safe.
 */
final class ControlService {
    private final EventValidator validator;
    private final InFlightLimiter limiter;
    /** Null when {@code router.presence.address} is unset. */
    private final PresenceLookup presence;
    private final EventLog log;
    private final EventMetrics metrics;
    private final InstantSource clock;

    ControlService(EventValidator validator, InFlightLimiter limiter, Optional<PresenceLookup> presence, EventLog log,
                   EventMetrics metrics, InstantSource clock) {
        this.validator = validator;
        this.limiter = limiter;
        this.presence = presence.orElse(null);
        this.log = log;
        this.metrics = metrics;
        this.clock = clock;
    }

    void sendControl(ControlRequest request, StreamObserver<ControlResponse> responses) {
        String command = commandLabel(request);
        Optional<RouterError> problem = validator.check(request);
        if (problem.isPresent()) {
            fail(responses, command, problem.get());
            return;
        }
        ControlRecord record = request.getRecord();
        Optional<UserAddress> user = UserAddress.of(record);
        boolean lookup = user.isPresent() && record.getGatewayIdsCount() == 0;
        if (lookup && presence == null) {
            fail(responses, command, PublishStatus.presenceNotConfigured());
            return;
        }
        Context context = Context.current();
        if (context.isCancelled()) {
            fail(responses, command, PublishStatus.cancelled(context));
            return;
        }
        if (!limiter.tryAcquire()) {
            fail(responses, command, PublishStatus.tooManyInFlight());
            return;
        }
        CompletableFuture<Integer> sent = Futures.started(() -> lookup ? addressed(user.get(), context)
                .thenCompose(target -> target.connections() == 0 ? CompletableFuture.completedFuture(0)
                        : write(record.toBuilder().addAllGatewayIds(target.gateways()).build())
                        .thenApply(ignored -> target.connections()))
                : write(record).thenApply(ignored -> 0));
        sent.whenComplete((connections, failure) -> {
            limiter.release();
            if (failure != null) {
                fail(responses, command, DirectMessageService.errorOf(failure));
                return;
            }
            metrics.control(command, lookup && connections == 0 ? EventMetrics.Outcome.OFFLINE
                    : EventMetrics.Outcome.OK);
            responses.onNext(ControlResponse.newBuilder().setConnections(connections).build());
            responses.onCompleted();
        });
    }

    /** The gateways and connection count a disconnect targets, from presence. */
    private record Target(List<String> gateways, int connections) {
    }

    /** Whom a user-addressed command targets: the user, and one session of theirs or (empty) all. */
    private record UserAddress(String userId, String sessionId) {
        static Optional<UserAddress> of(ControlRecord record) {
            return switch (record.getCommandCase()) {
                case DISCONNECT -> Optional.of(new UserAddress(record.getDisconnect().getUserId(),
                        record.getDisconnect().getSessionId()));
                case SUBSCRIBE -> Optional.of(new UserAddress(record.getSubscribe().getUserId(),
                        record.getSubscribe().getSessionId()));
                case UNSUBSCRIBE -> Optional.of(new UserAddress(record.getUnsubscribe().getUserId(),
                        record.getUnsubscribe().getSessionId()));
                case CLOSE_ROOM, DELIVER, COMMAND_NOT_SET -> Optional.empty();
            };
        }
    }

    private CompletableFuture<Target> addressed(UserAddress address, Context context) {
        return presence.lookup(address.userId(), context.getDeadline())
                .handle((user, failure) -> {
                    if (failure != null) {
                        throw new DirectMessageService.StatusFailure(PublishStatus.presenceFailed(failure));
                    }
                    return target(user, address.sessionId());
                });
    }

    private static Target target(UserPresence user, String sessionId) {
        Set<String> gateways = new LinkedHashSet<>();
        int connections = 0;
        for (Connection connection : user.getConnectionsList()) {
            if (sessionId.isEmpty() || sessionId.equals(connection.getSessionId())) {
                gateways.add(connection.getGatewayId());
                connections++;
            }
        }
        return new Target(List.copyOf(gateways), connections);
    }

    private CompletableFuture<Void> write(ControlRecord record) {
        Instant now = clock.instant();
        String key = UserAddress.of(record).map(UserAddress::userId).orElseGet(() -> record.getCloseRoom().getRoom());
        return log.appendControl(key, record.toBuilder().setTime(PublishService.timestamp(now)).build(), now);
    }

    private void fail(StreamObserver<ControlResponse> responses, String command, RouterError error) {
        metrics.control(command, PublishStatus.eventOutcomeOf(error));
        responses.onError(error.asException());
    }

    private static String commandLabel(ControlRequest request) {
        return switch (request.getRecord().getCommandCase()) {
            case DISCONNECT -> "disconnect";
            case CLOSE_ROOM -> "close_room";
            case SUBSCRIBE -> "subscribe";
            case UNSUBSCRIBE -> "unsubscribe";
            case DELIVER -> "deliver";
            case COMMAND_NOT_SET -> "none";
        };
    }
}
