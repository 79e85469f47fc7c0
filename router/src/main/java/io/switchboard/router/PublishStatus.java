package io.switchboard.router;

import io.grpc.Context;
import io.grpc.Status;
import org.apache.kafka.common.errors.RecordTooLargeException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The router's one table from failures to gRPC statuses, each with a description. The codes are the
 * contract of {@code RouterService.Publish}: INVALID_ARGUMENT (fix the envelope), RESOURCE_EXHAUSTED
 * (payload too large, or too busy: retry later or elsewhere), UNAVAILABLE (Kafka did not acknowledge: retry
 * with the same id), DEADLINE_EXCEEDED/CANCELLED (the caller gave up). Stateless, hence thread-safe.
 */
final class PublishStatus {
    private PublishStatus() {
    }

    static Status invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description);
    }

    static Status payloadTooLarge(int bytes, int max) {
        return Status.RESOURCE_EXHAUSTED.withDescription("payload: " + bytes + " bytes (expected: <= " + max + ")");
    }

    static Status tooManyInFlight() {
        return Status.RESOURCE_EXHAUSTED.withDescription("too many publishes in flight");
    }

    /** SendToUser and lookups for SendControl when {@code router.presence.address} is unset. */
    static Status presenceNotConfigured() {
        return Status.UNAVAILABLE.withDescription("presence not configured");
    }

    /** A failed presence lookup: UNAVAILABLE (retriable), keeping the presence service's own status. */
    static Status presenceFailed(Throwable failure) {
        Status status = Status.fromThrowable(unwrap(failure));
        return Status.UNAVAILABLE.withDescription("presence lookup failed: " + status.getCode()
                + (status.getDescription() == null ? "" : " " + status.getDescription())).withCause(failure);
    }

    static Status idReusedForOtherRoom(String id, String room) {
        return invalid("id: '" + id + "' was already published to another room than '" + room + "'");
    }

    /** The status for a call whose context was cancelled before the router started the send. */
    static Status cancelled(Context context) {
        boolean expired = context.getDeadline() != null && context.getDeadline().isExpired();
        return (expired ? Status.DEADLINE_EXCEEDED : Status.CANCELLED)
                .withDescription("call ended before the publish started; nothing was sent");
    }

    /** The status for a failed append: UNAVAILABLE (retriable) unless retrying cannot help. */
    static Status appendFailed(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof RecordTooLargeException) {
            return Status.RESOURCE_EXHAUSTED.withDescription("kafka: " + cause.getMessage()).withCause(cause);
        }
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return Status.UNAVAILABLE.withDescription("kafka did not acknowledge: " + detail).withCause(cause);
    }

    /** The metrics outcome a failure status counts as (validation failures count as INVALID instead). */
    static RouterMetrics.Outcome outcomeOf(Status status) {
        return switch (status.getCode()) {
            case INVALID_ARGUMENT -> RouterMetrics.Outcome.INVALID;
            case RESOURCE_EXHAUSTED -> RouterMetrics.Outcome.EXHAUSTED;
            case DEADLINE_EXCEEDED, CANCELLED -> RouterMetrics.Outcome.CANCELLED;
            default -> RouterMetrics.Outcome.UNAVAILABLE;
        };
    }

    /** The {@link EventMetrics} outcome a failure status counts as. */
    static EventMetrics.Outcome eventOutcomeOf(Status status) {
        return switch (status.getCode()) {
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
