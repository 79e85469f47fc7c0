package io.switchboard.router;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.Messages;
import io.switchboard.proto.internal.v1.Connection;
import io.switchboard.proto.internal.v1.ControlRecord;
import io.switchboard.proto.internal.v1.SendToUserRequest;
import io.switchboard.proto.internal.v1.SendToUserResponse;
import io.switchboard.proto.internal.v1.UserPresence;
import io.switchboard.service.Futures;

import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code RouterService.SendToUser}: validate, deduplicate by (target user, id), look up where the user is
 * connected and, if anywhere, write one {@link ControlRecord} ({@code deliver}, {@code gateway_ids} = the
 * user's gateways) keyed by user id to the control topic. Answers {@code devices} = the user's connection
 * count (0: offline, nothing written) once Kafka acknowledged. At-most-once to the devices connected at
 * lookup time.
 *
 * <p>Dedup follows Publish: a concurrent retry waits for the first call's outcome, a later one gets its
 * device count with {@code duplicate=true}, a failed call is forgotten so that a retry tries again.
 * Thread-safe: shared state lives in the thread-safe collaborators.
 */
final class DirectMessageService {
    private final EventValidator validator;
    private final DedupCache dedup;
    private final InFlightLimiter limiter;
    /** Null when {@code router.presence.address} is unset. */
    private final PresenceLookup presence;
    private final EventLog log;
    private final EventMetrics metrics;
    private final InstantSource clock;

    DirectMessageService(EventValidator validator, DedupCache dedup, InFlightLimiter limiter,
                         Optional<PresenceLookup> presence, EventLog log, EventMetrics metrics, InstantSource clock) {
        this.validator = validator;
        this.dedup = dedup;
        this.limiter = limiter;
        this.presence = presence.orElse(null);
        this.log = log;
        this.metrics = metrics;
        this.clock = clock;
    }

    void sendToUser(SendToUserRequest request, StreamObserver<SendToUserResponse> responses) {
        Optional<RouterError> problem = validator.check(request);
        if (problem.isPresent()) {
            fail(responses, problem.get());
            return;
        }
        if (presence == null) {
            fail(responses, PublishStatus.presenceNotConfigured());
            return;
        }
        Context context = Context.current();
        if (context.isCancelled()) {
            fail(responses, PublishStatus.cancelled(context));
            return;
        }
        DedupCache.DirectKey key = new DedupCache.DirectKey(request.getUserId(), request.getId());
        DedupCache.Delivery earlier = dedup.find(key);
        if (earlier != null) {
            answerDuplicate(earlier, responses);
            return;
        }
        if (!limiter.tryAcquire()) {
            fail(responses, PublishStatus.tooManyInFlight());
            return;
        }
        DedupCache.Delivery mine = new DedupCache.Delivery(new CompletableFuture<>());
        earlier = dedup.claim(key, mine);
        if (earlier != null) {
            limiter.release();
            answerDuplicate(earlier, responses);
            return;
        }
        Deadline deadline = context.getDeadline();
        CompletableFuture<Integer> sent = Futures.started(() -> presence.lookup(request.getUserId(), deadline)
                .handle((user, failure) -> {
                    if (failure != null) {
                        throw new StatusFailure(PublishStatus.presenceFailed(failure));
                    }
                    return user;
                })
                .thenCompose(user -> deliver(request, user)));
        sent.whenComplete((devices, failure) -> {
            limiter.release();
            if (failure != null) {
                dedup.evict(key, mine);
                mine.devices().completeExceptionally(failure);
            } else {
                mine.devices().complete(devices);
            }
        });
        mine.devices().whenComplete((devices, failure) -> {
            if (failure != null) {
                fail(responses, errorOf(failure));
            } else {
                metrics.direct(devices == 0 ? EventMetrics.Outcome.OFFLINE : EventMetrics.Outcome.OK);
                answer(responses, devices, false);
            }
        });
    }

    /** Writes the delivery for {@code user}'s connections; completes with their count (0: nothing written). */
    private CompletableFuture<Integer> deliver(SendToUserRequest request, UserPresence user) {
        int devices = user.getConnectionsCount();
        if (devices == 0) {
            return CompletableFuture.completedFuture(0);
        }
        Set<String> gateways = new LinkedHashSet<>();
        for (Connection connection : user.getConnectionsList()) {
            gateways.add(connection.getGatewayId());
        }
        Instant now = clock.instant();
        ControlRecord record = ControlRecord.newBuilder()
                .addAllGatewayIds(gateways)
                .setTime(PublishService.timestamp(now))
                .setDeliver(Messages.delivery(request))
                .build();
        return log.appendControl(request.getUserId(), record, now).thenApply(ignored -> devices);
    }

    private void answerDuplicate(DedupCache.Delivery earlier, StreamObserver<SendToUserResponse> responses) {
        earlier.devices().whenComplete((devices, failure) -> {
            if (failure != null) {
                fail(responses, errorOf(failure));
            } else {
                metrics.direct(EventMetrics.Outcome.DUPLICATE);
                answer(responses, devices, true);
            }
        });
    }

    private static void answer(StreamObserver<SendToUserResponse> responses, int devices, boolean duplicate) {
        responses.onNext(SendToUserResponse.newBuilder().setDevices(devices).setDuplicate(duplicate).build());
        responses.onCompleted();
    }

    private void fail(StreamObserver<SendToUserResponse> responses, RouterError error) {
        metrics.direct(PublishStatus.eventOutcomeOf(error));
        responses.onError(error.asException());
    }

    /** A presence failure already carries its answer; anything else failed on the way to Kafka. */
    static RouterError errorOf(Throwable failure) {
        Throwable cause = PublishStatus.unwrap(failure);
        return cause instanceof StatusFailure s ? s.error : PublishStatus.appendFailed(cause);
    }

    /** Carries a ready answer through a future chain. */
    static final class StatusFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient RouterError error;

        StatusFailure(RouterError error) {
            super(error.description(), null, false, false);
            this.error = error;
        }
    }
}
