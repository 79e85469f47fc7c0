package io.switchboard.router;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.EphemeralRecord;
import io.switchboard.proto.internal.v1.EphemeralRequest;
import io.switchboard.proto.internal.v1.EphemeralResponse;
import io.switchboard.service.Futures;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * {@code RouterService.PublishEphemeral}: validate, throttle per (user, room, kind), write one {@link
 * EphemeralRecord} (keyed by room, {@code ttl_ms} and {@code time} set by the router) to the ephemeral topic
 * and answer {@code accepted=true} once Kafka acknowledged, or {@code accepted=false} when throttled. Never
 * touches the room log. Thread-safe: shared state lives in the thread-safe collaborators.
 */
final class EphemeralService {
    private final EventValidator validator;
    private final EphemeralThrottle throttle;
    private final InFlightLimiter limiter;
    private final EventLog log;
    private final EventMetrics metrics;
    private final InstantSource clock;
    private final int ttlMillis;

    EphemeralService(EventValidator validator, EphemeralThrottle throttle, InFlightLimiter limiter, EventLog log,
                     EventMetrics metrics, InstantSource clock, Duration ttl) {
        this.validator = validator;
        this.throttle = throttle;
        this.limiter = limiter;
        this.log = log;
        this.metrics = metrics;
        this.clock = clock;
        this.ttlMillis = Math.toIntExact(ttl.toMillis());
    }

    void publishEphemeral(EphemeralRequest request, StreamObserver<EphemeralResponse> responses) {
        Optional<RouterError> problem = validator.check(request);
        if (problem.isPresent()) {
            fail(responses, problem.get());
            return;
        }
        Context context = Context.current();
        if (context.isCancelled()) {
            fail(responses, PublishStatus.cancelled(context));
            return;
        }
        EphemeralRecord event = request.getEvent();
        // The slot first: a refused call must not use up the throttle window of its key.
        if (!limiter.tryAcquire()) {
            fail(responses, PublishStatus.tooManyInFlight());
            return;
        }
        EphemeralThrottle.Key key = new EphemeralThrottle.Key(event.getSender().getUserId(), event.getRoom(),
                event.getKind());
        if (!throttle.tryAcquire(key, event.getStop())) {
            limiter.release();
            metrics.ephemeral(EventMetrics.Outcome.THROTTLED);
            responses.onNext(EphemeralResponse.newBuilder().setAccepted(false).build());
            responses.onCompleted();
            return;
        }
        Instant now = clock.instant();
        EphemeralRecord record = event.toBuilder().setTtlMs(ttlMillis).setTime(PublishService.timestamp(now)).build();
        Futures.started(() -> log.appendEphemeral(record, now)).whenComplete((ignored, failure) -> {
            limiter.release();
            if (failure != null) {
                // Not written: let the client's retry through the throttle.
                throttle.forget(key);
                fail(responses, PublishStatus.appendFailed(failure));
            } else {
                metrics.ephemeral(EventMetrics.Outcome.OK);
                responses.onNext(EphemeralResponse.newBuilder().setAccepted(true).build());
                responses.onCompleted();
            }
        });
    }

    private void fail(StreamObserver<EphemeralResponse> responses, RouterError error) {
        metrics.ephemeral(PublishStatus.eventOutcomeOf(error));
        responses.onError(error.asException());
    }
}
