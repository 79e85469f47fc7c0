package io.switchboard.gateway.routing;

import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.grpc.Status;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * The one place where router (gRPC) outcomes become client error codes:
 *
 * <table>
 *   <tr><th>gRPC status</th><th>ErrorCode</th></tr>
 *   <tr><td>INVALID_ARGUMENT</td><td>BAD_REQUEST (with the router's description)</td></tr>
 *   <tr><td>RESOURCE_EXHAUSTED, description mentions "payload"</td><td>PAYLOAD_TOO_LARGE</td></tr>
 *   <tr><td>RESOURCE_EXHAUSTED, otherwise</td><td>RATE_LIMITED</td></tr>
 *   <tr><td>UNAVAILABLE</td><td>UNAVAILABLE</td></tr>
 *   <tr><td>DEADLINE_EXCEEDED</td><td>TIMEOUT</td></tr>
 *   <tr><td>PERMISSION_DENIED</td><td>PERMISSION_DENIED</td></tr>
 *   <tr><td>anything else, or a non-gRPC failure</td><td>INTERNAL</td></tr>
 * </table>
 *
 * Whether the client may retry follows from the code ({@link ClientError#retriable()}). Stateless, thread-safe.
 */
public final class StatusMapper {
    private StatusMapper() {
    }

    /** Maps a failed router call (any throwable, possibly wrapped by a future) to the client error. */
    public static ClientError map(Throwable failure) {
        Throwable t = unwrap(failure);
        Status status = Status.fromThrowable(t);
        if (status.getCode() == Status.Code.UNKNOWN && status.getDescription() == null) {
            return new ClientError(ErrorCode.INTERNAL, "internal error: " + t.getClass().getSimpleName());
        }
        return map(status);
    }

    /** Maps a non-OK gRPC status to the client error. */
    public static ClientError map(Status status) {
        String description = status.getDescription() == null ? "" : status.getDescription();
        return switch (status.getCode()) {
            case INVALID_ARGUMENT -> new ClientError(ErrorCode.BAD_REQUEST, orDefault(description, "invalid request"));
            case RESOURCE_EXHAUSTED -> description.toLowerCase(Locale.ROOT).contains("payload")
                    ? new ClientError(ErrorCode.PAYLOAD_TOO_LARGE, description)
                    : new ClientError(ErrorCode.RATE_LIMITED, orDefault(description, "too many publishes in flight"));
            case UNAVAILABLE -> new ClientError(ErrorCode.UNAVAILABLE,
                    "router unavailable" + (description.isEmpty() ? "" : ": " + description));
            case DEADLINE_EXCEEDED -> new ClientError(ErrorCode.TIMEOUT,
                    "no acknowledgement in time; retry with the same id");
            case PERMISSION_DENIED -> new ClientError(ErrorCode.PERMISSION_DENIED,
                    orDefault(description, "permission denied"));
            default -> new ClientError(ErrorCode.INTERNAL, "internal error (" + status.getCode() + ")");
        };
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }

    private static String orDefault(String s, String fallback) {
        return s.isEmpty() ? fallback : s;
    }
}
