package io.switchboard.router.api;

import io.grpc.Status;
import io.switchboard.proto.api.v1.PublishResult;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place that turns failures of internal calls into what SwitchboardApi answers: internal statuses pass
 * through with their code and description; anything else is INTERNAL naming the failure. Stateless.
 */
final class ApiStatus {
    private ApiStatus() {
    }

    /** The status to answer for {@code failure} (unwrapping completion wrappers). */
    static Status of(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        Status status = Status.fromThrowable(t);
        if (status.getCode() == Status.Code.UNKNOWN && status.getDescription() == null) {
            return Status.INTERNAL.withDescription("internal call failed: " + t).withCause(t);
        }
        return status;
    }

    /**
     * Whether a message's sender is expected to resend it after {@code status}: the outcome is unknown or an
     * earlier message into the room failed (UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, as the example backend
     * resends), as opposed to a refusal it may not repeat.
     */
    static boolean retriable(Status status) {
        return switch (status.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED -> true;
            default -> false;
        };
    }

    /** A failed PublishResult for one message of a stream or a PublishMany. */
    static PublishResult failedResult(String room, String id, Status status) {
        return PublishResult.newBuilder()
                .setRoom(room)
                .setId(id)
                .setErrorCode(status.getCode().value())
                .setErrorMessage(status.getDescription() != null ? status.getDescription() : status.getCode().name())
                .build();
    }
}
