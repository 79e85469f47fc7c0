package io.switchboard.router;

import com.google.protobuf.Timestamp;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Position;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * {@code RouterService.Publish} (and each request of {@code PublishStream}): validate, deduplicate, bound, append, answer once the log acknowledged.
 *
 * <p>The order is what makes retries safe and memory bounded: validation first (nothing allocated for a bad
 * envelope); a publish that may repeat one another router stored (a failover attempt, or a lane this router takes
 * over) waits until the dedup memory caught up with the log ({@link DedupCatchUp}), and the room's later publishes
 * wait behind it ({@link HeldRooms}; other rooms do not); then a known (sender, id) joins the earlier publish
 * without taking a slot; then a new one takes
 * an in-flight slot or is refused; then its sender's lane must let it through ({@link PublishSequencer}: nothing
 * is stored ahead of a failed predecessor); only then is it claimed in the dedup cache and sent. The handler never
 * waits for the log: the answer is written from the log's completion (Kafka's callback thread), and appends to
 * one room are stored in call order, so publishes handed over in order are stored in order.
 *
 * <p>Thread-safe: all shared state lives in the thread-safe {@link DedupCache}, {@link PublishSequencer}, {@link
 * InFlightLimiter}, {@link EnvelopeLog} and {@link RouterMetrics}.
 */
final class PublishService extends RouterServiceGrpc.RouterServiceImplBase {
    /** Monitors ordering the appends of rooms (a power of two); a room's publishes contend only with its stripe's. */
    private static final int APPEND_STRIPES = 256;

    private final EnvelopeValidator validator;
    private final DedupCache dedup;
    private final PublishSequencer sequencer;
    private final DedupCatchUp catchUp;
    private final HeldRooms held;
    private final InFlightLimiter limiter;
    private final EnvelopeLog log;
    private final RouterMetrics metrics;
    private final InstantSource clock;
    private final Object[] appendStripes = new Object[APPEND_STRIPES];

    /** @param heldExecutor runs publishes held behind a catch-up ({@link HeldRooms}) */
    PublishService(EnvelopeValidator validator, DedupCache dedup, PublishSequencer sequencer, DedupCatchUp catchUp,
                   Executor heldExecutor, InFlightLimiter limiter, EnvelopeLog log, RouterMetrics metrics,
                   InstantSource clock) {
        this.validator = validator;
        this.dedup = dedup;
        this.sequencer = sequencer;
        this.catchUp = catchUp;
        this.held = new HeldRooms(heldExecutor);
        this.limiter = limiter;
        this.log = log;
        this.metrics = metrics;
        this.clock = clock;
        Arrays.setAll(appendStripes, i -> new Object());
    }

    /** A unary {@code Publish} call: the call's context says whether the caller gave up. */
    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> responses) {
        Context context = Context.current();
        publish(request, responses, () -> context.isCancelled() ? PublishStatus.cancelled(context) : null);
    }

    /** One request of a {@code PublishStream}: its own deadline (null: none) says whether the caller gave up. */
    void publish(PublishRequest request, StreamObserver<PublishResponse> responses, Deadline deadline) {
        publish(request, responses, () -> deadline != null && deadline.isExpired() ? PublishStatus.expired() : null);
    }

    /** @param ended the answer when the caller already gave up, else null */
    private void publish(PublishRequest request, StreamObserver<PublishResponse> responses,
                         Supplier<RouterError> ended) {
        long receivedNanos = System.nanoTime();
        Optional<RouterError> problem = validator.check(request);
        if (problem.isPresent()) {
            fail(responses, problem.get(), RouterMetrics.Outcome.INVALID);
            return;
        }
        // The caller may already have given up (deadline passed while queued): then send nothing at all.
        RouterError gaveUp = ended.get();
        if (gaveUp != null) {
            fail(responses, gaveUp);
            return;
        }
        Envelope envelope = request.getEnvelope();
        // Possibly stored by the router this one takes over from: know the log first. The wait holds this room's
        // later publishes behind it (they start in arrival order), not the stream's other rooms.
        CompletableFuture<Boolean> caughtUp = request.getFailover() || sequencer.takesOver(request.getSequence())
                ? catchUp.caughtUp(envelope.getRoom(), receivedNanos) : null;
        held.run(envelope.getRoom(), caughtUp, ok -> {
            if (caughtUp != null) {
                metrics.caughtUp(ok);
                // The wait may have outlasted the caller's deadline: then it has answered the client already.
                RouterError late = ended.get();
                if (late != null) {
                    fail(responses, late);
                    return;
                }
            }
            admit(request, responses, receivedNanos);
        });
    }

    /**
     * Dedup, in-flight slot, lane, claim, append: the publish's checks after any catch-up. They run under the room's
     * {@link #appendOrder} monitor up to the append's call, so that a duplicate joining a publish claimed by another
     * lane (a resend on a new connection while the old one's copy is still on its way) finds it already appended:
     * otherwise the duplicate would let its lane's next publish through, and that could reach the log first.
     */
    private void admit(PublishRequest request, StreamObserver<PublishResponse> responses, long receivedNanos) {
        Envelope envelope = request.getEnvelope();
        DedupCache.Key key = new DedupCache.Key(envelope.getSender().getUserId(), envelope.getId());
        DedupCache.Entry earlier;
        DedupCache.Entry mine = null;
        CompletableFuture<EnvelopeLog.Stored> appended = null;
        RouterError refused = null;
        synchronized (appendOrder(envelope.getRoom())) {
            earlier = dedup.find(key);
            if (earlier != null) {
                sequencer.passed(request.getSequence());
            } else if (!limiter.tryAcquire()) {
                refused = PublishStatus.tooManyInFlight();
            } else if (!sequencer.admit(request.getSequence())) {
                limiter.release();
                refused = PublishStatus.outOfSequence(envelope.getRoom());
            } else {
                mine = new DedupCache.Entry(envelope.getRoom(), new CompletableFuture<>());
                earlier = dedup.claim(key, mine);
                if (earlier != null) {
                    // Lost the race to the same id (into another room, or just indexed from the log as another router's).
                    limiter.release();
                    mine = null;
                } else {
                    appended = append(envelope);
                }
            }
        }
        if (refused != null) {
            fail(responses, refused);
        } else if (mine == null) {
            answerDuplicate(earlier, request, responses);
        } else {
            answerWhenStored(key, mine, appended, request, receivedNanos, responses);
        }
    }

    /** One monitor per stripe of rooms: held from a publish's dedup lookup to its append's call. */
    private Object appendOrder(String room) {
        return appendStripes[room.hashCode() & (appendStripes.length - 1)];
    }

    private CompletableFuture<EnvelopeLog.Stored> append(Envelope envelope) {
        Instant now = clock.instant();
        try {
            return log.append(envelope.getRoom(), recordOf(envelope, now), now);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void answerWhenStored(DedupCache.Key key, DedupCache.Entry mine,
                                  CompletableFuture<EnvelopeLog.Stored> appended, PublishRequest request,
                                  long receivedNanos, StreamObserver<PublishResponse> responses) {
        appended.whenComplete((stored, failure) -> {
            limiter.release();
            if (failure != null) {
                // Evict before anyone hears of the failure, so that their retry sends again; and let nothing more
                // of the sender's lane through (what Kafka already has follows its own order).
                dedup.evict(key, mine);
                sequencer.broken(request.getSequence());
                mine.stored().completeExceptionally(failure);
            } else {
                mine.stored().complete(stored);
            }
        });
        mine.stored().whenComplete((stored, failure) -> {
            if (failure != null) {
                fail(responses, PublishStatus.appendFailed(failure));
            } else {
                metrics.acknowledged(System.nanoTime() - receivedNanos);
                answer(responses, stored, false);
            }
        });
    }

    private void answerDuplicate(DedupCache.Entry earlier, PublishRequest request,
                                 StreamObserver<PublishResponse> responses) {
        Envelope envelope = request.getEnvelope();
        if (!earlier.room().equals(envelope.getRoom())) {
            fail(responses, PublishStatus.idReusedForOtherRoom(envelope.getId(), envelope.getRoom()));
            return;
        }
        earlier.stored().whenComplete((stored, failure) -> {
            if (failure != null) {
                // It counted as its lane's next one when it joined: nothing later of the lane may be stored now.
                sequencer.broken(request.getSequence());
                fail(responses, PublishStatus.appendFailed(failure));
            } else {
                answer(responses, stored, true);
            }
        });
    }

    /** The record value: the envelope as given, minus what derives from the record, plus a received time. */
    static Envelope recordOf(Envelope envelope, Instant now) {
        Envelope.Builder record = envelope.toBuilder().clearPosition().clearStoredTime();
        if (!envelope.hasReceivedTime()) {
            record.setReceivedTime(timestamp(now));
        }
        return record.build();
    }

    private void answer(StreamObserver<PublishResponse> responses, EnvelopeLog.Stored stored, boolean duplicate) {
        metrics.count(duplicate ? RouterMetrics.Outcome.DUPLICATE : RouterMetrics.Outcome.OK);
        responses.onNext(PublishResponse.newBuilder()
                .setPosition(Position.newBuilder().setEpoch(stored.epoch()).setOffset(stored.offset()))
                .setStoredTime(timestamp(stored.storedTime()))
                .setDuplicate(duplicate)
                .build());
        responses.onCompleted();
    }

    private void fail(StreamObserver<PublishResponse> responses, RouterError error) {
        fail(responses, error, PublishStatus.outcomeOf(error));
    }

    private void fail(StreamObserver<PublishResponse> responses, RouterError error, RouterMetrics.Outcome outcome) {
        metrics.count(outcome);
        responses.onError(error.asException());
    }

    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
