package io.switchboard.router;

import io.grpc.Context;
import io.grpc.Status;
import io.switchboard.proto.RouterErrorReason;
import org.apache.kafka.common.errors.RecordTooLargeException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The router's one table from failures to answers: each a gRPC status with a description and a
 * {@link RouterErrorReason} (see its table for what each reason means). The codes are the contract of
 * {@code RouterService}: INVALID_ARGUMENT (fix the request), RESOURCE_EXHAUSTED (payload or record too large:
 * never retry; too busy: retry later or elsewhere), UNAVAILABLE (Kafka or presence did not answer: retry with the
 * same id), DEADLINE_EXCEEDED/CANCELLED (the caller gave up). Stateless, hence thread-safe.
 */
final class PublishStatus {
    private PublishStatus() {
    }

    static RouterError invalid(String description) {
        return new RouterError(Status.INVALID_ARGUMENT.withDescription(description), RouterErrorReason.INVALID_REQUEST);
    }

    static RouterError payloadTooLarge(int bytes, int max) {
        return new RouterError(Status.RESOURCE_EXHAUSTED.withDescription(
                "payload: " + bytes + " bytes (expected: <= " + max + ")"), RouterErrorReason.PAYLOAD_TOO_LARGE);
    }

    static RouterError tooManyInFlight() {
        return new RouterError(Status.RESOURCE_EXHAUSTED.withDescription("too many publishes in flight"),
                RouterErrorReason.TOO_MANY_IN_FLIGHT);
    }

    /** SendToUser and lookups for SendControl when {@code router.presence.address} is unset. */
    static RouterError presenceNotConfigured() {
        return new RouterError(Status.UNAVAILABLE.withDescription("presence not configured"),
                RouterErrorReason.PRESENCE_NOT_CONFIGURED);
    }

    /** A failed presence lookup: UNAVAILABLE (retriable), keeping the presence service's own status. */
    static RouterError presenceFailed(Throwable failure) {
        Status status = Status.fromThrowable(unwrap(failure));
        return new RouterError(Status.UNAVAILABLE.withDescription("presence lookup failed: " + status.getCode()
                + (status.getDescription() == null ? "" : " " + status.getDescription())).withCause(failure),
                RouterErrorReason.PRESENCE_UNAVAILABLE);
    }

    static RouterError idReusedForOtherRoom(String id, String room) {
        return new RouterError(Status.INVALID_ARGUMENT.withDescription(
                "id: '" + id + "' was already published to another room than '" + room + "'"),
                RouterErrorReason.ID_REUSED);
    }

    /** The answer for a call whose context was cancelled before the router started the send. */
    static RouterError cancelled(Context context) {
        boolean expired = context.getDeadline() != null && context.getDeadline().isExpired();
        return new RouterError((expired ? Status.DEADLINE_EXCEEDED : Status.CANCELLED)
                .withDescription("call ended before the publish started; nothing was sent"), RouterErrorReason.CALL_ENDED);
    }

    /** The answer for a stream request whose own deadline passed before the router started the send. */
    static RouterError expired() {
        return new RouterError(Status.DEADLINE_EXCEEDED
                .withDescription("deadline passed before the publish started; nothing was sent"),
                RouterErrorReason.CALL_ENDED);
    }

    /** The answer for a publish whose predecessor in its sender's lane was not stored here: nothing was sent. */
    static RouterError outOfSequence(String room) {
        return new RouterError(Status.ABORTED.withDescription("an earlier publish into " + room
                + " from this sender was not stored; nothing was sent: resend from the first failed one, in order"),
                RouterErrorReason.OUT_OF_SEQUENCE);
    }

    /**
     * The answer for a failed append: UNAVAILABLE (retriable) unless retrying cannot help: a record Kafka refuses
     * as too large (producer, broker or topic limit) is RESOURCE_EXHAUSTED RECORD_TOO_LARGE.
     */
    static RouterError appendFailed(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof RecordTooLargeException) {
            return new RouterError(Status.RESOURCE_EXHAUSTED.withDescription("kafka: " + cause.getMessage())
                    .withCause(cause), RouterErrorReason.RECORD_TOO_LARGE);
        }
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new RouterError(Status.UNAVAILABLE.withDescription("kafka did not acknowledge: " + detail)
                .withCause(cause), RouterErrorReason.KAFKA_UNAVAILABLE);
    }

    /** The metrics outcome a failure counts as (validation failures count as INVALID instead). */
    static RouterMetrics.Outcome outcomeOf(RouterError error) {
        return switch (error.code()) {
            case INVALID_ARGUMENT -> RouterMetrics.Outcome.INVALID;
            case RESOURCE_EXHAUSTED -> RouterMetrics.Outcome.EXHAUSTED;
            case DEADLINE_EXCEEDED, CANCELLED -> RouterMetrics.Outcome.CANCELLED;
            case ABORTED -> RouterMetrics.Outcome.OUT_OF_SEQUENCE;
            default -> RouterMetrics.Outcome.UNAVAILABLE;
        };
    }

    /** The {@link EventMetrics} outcome a failure counts as. */
    static EventMetrics.Outcome eventOutcomeOf(RouterError error) {
        return switch (error.code()) {
            case INVALID_ARGUMENT -> EventMetrics.Outcome.INVALID;
            case RESOURCE_EXHAUSTED -> EventMetrics.Outcome.EXHAUSTED;
            case DEADLINE_EXCEEDED, CANCELLED -> EventMetrics.Outcome.CANCELLED;
            default -> EventMetrics.Outcome.UNAVAILABLE;
        };
    }

    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
