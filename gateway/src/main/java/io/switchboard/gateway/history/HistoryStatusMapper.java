package io.switchboard.gateway.history;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.grpc.Status;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.RecoveryFailure;

/**
 * The one place where history (gRPC) outcomes become resume outcomes and client error codes:
 *
 * <table>
 *   <tr><th>gRPC status</th><th>resume (Subscribe.resume_from)</th><th>HistoryRequest</th></tr>
 *   <tr><td>NOT_FOUND</td><td>nothing stored after the position: recovered</td><td>empty page, has_more false</td></tr>
 *   <tr><td>OUT_OF_RANGE</td><td>recovered=false POSITION_EXPIRED</td><td>BAD_REQUEST (position older than
 *       retention; page with LATEST or BEFORE instead)</td></tr>
 *   <tr><td>FAILED_PRECONDITION</td><td>recovered=false EPOCH_CHANGED</td><td>EPOCH_MISMATCH</td></tr>
 *   <tr><td>UNAVAILABLE, DEADLINE_EXCEEDED</td><td>Error RECOVERY_UNAVAILABLE, not subscribed</td>
 *       <td>RECOVERY_UNAVAILABLE</td></tr>
 *   <tr><td>INVALID_ARGUMENT</td><td>Error INTERNAL, not subscribed (the gateway built a bad request)</td>
 *       <td>BAD_REQUEST</td></tr>
 *   <tr><td>anything else, or a non-gRPC failure</td><td>Error INTERNAL, not subscribed</td><td>INTERNAL</td></tr>
 * </table>
 *
 * Both retriable errors leave the client to retry later; neither ever hides a gap. (A gateway with no history
 * service configured never asks: a resume that may have missed messages is recovered=false HISTORY_DISABLED, see
 * {@link ResumeReader}.) Stateless, thread-safe.
 */
public final class HistoryStatusMapper {
    private HistoryStatusMapper() {
    }

    /** The gRPC status of a failed history call (any throwable, possibly wrapped by a future). */
    public static Status status(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return Status.fromThrowable(t);
    }

    /**
     * Whether a history call that failed with {@code status} may succeed if tried again soon (UNAVAILABLE,
     * DEADLINE_EXCEEDED: a history restart, a slow read in a storm).
     */
    public static boolean retriable(Status status) {
        return switch (status.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED -> true;
            default -> false;
        };
    }

    /** The outcome of a resume whose history read failed with {@code status} (never NOT_FOUND: that is data). */
    public static ResumeOutcome resume(Status status) {
        return switch (status.getCode()) {
            case OUT_OF_RANGE -> new ResumeOutcome.NotRecovered(RecoveryFailure.POSITION_EXPIRED);
            case FAILED_PRECONDITION -> new ResumeOutcome.NotRecovered(RecoveryFailure.EPOCH_CHANGED);
            case UNAVAILABLE, DEADLINE_EXCEEDED -> new ResumeOutcome.Failed(unavailable(status));
            default -> new ResumeOutcome.Failed(new ClientError(ErrorCode.INTERNAL,
                    "history failed (" + status.getCode() + "); retry the subscribe"));
        };
    }

    /** The error answering a HistoryRequest whose read failed with {@code status}; empty for an empty page. */
    public static Optional<ClientError> page(Status status) {
        String description = status.getDescription() == null ? "" : status.getDescription();
        return switch (status.getCode()) {
            case NOT_FOUND -> Optional.empty();
            case OUT_OF_RANGE -> Optional.of(new ClientError(ErrorCode.BAD_REQUEST,
                    "position is older than the room's retention" + (description.isEmpty() ? "" : " (" + description + ")")
                            + "; page with LATEST or BEFORE"));
            case FAILED_PRECONDITION -> Optional.of(new ClientError(ErrorCode.EPOCH_MISMATCH,
                    description.isEmpty() ? "epoch is not the room's epoch" : description));
            case UNAVAILABLE, DEADLINE_EXCEEDED -> Optional.of(unavailable(status));
            case INVALID_ARGUMENT -> Optional.of(new ClientError(ErrorCode.BAD_REQUEST,
                    description.isEmpty() ? "invalid history request" : description));
            default -> Optional.of(new ClientError(ErrorCode.INTERNAL, "history failed (" + status.getCode() + ")"));
        };
    }

    private static ClientError unavailable(Status status) {
        return new ClientError(ErrorCode.RECOVERY_UNAVAILABLE, "history unavailable ("
                + status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription())
                + "); retry later");
    }
}
