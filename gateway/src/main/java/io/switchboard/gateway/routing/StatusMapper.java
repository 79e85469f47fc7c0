package io.switchboard.gateway.routing;

import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.grpc.Status;
import io.switchboard.proto.RouterErrorReason;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * The one place where router (gRPC) outcomes become client error codes. A router says why it refused or failed a
 * call with a {@link RouterErrorReason} ({@code google.rpc.ErrorInfo} in the status details), and the reason
 * decides, in one table:
 *
 * <table>
 *   <caption>Router reason to client ErrorCode</caption>
 *   <tr><th>reason</th><th>ErrorCode</th></tr>
 *   <tr><td>INVALID_REQUEST, ID_REUSED</td><td>BAD_REQUEST (with the router's description)</td></tr>
 *   <tr><td>PAYLOAD_TOO_LARGE, RECORD_TOO_LARGE</td><td>PAYLOAD_TOO_LARGE (never retriable: it cannot fit)</td></tr>
 *   <tr><td>TOO_MANY_IN_FLIGHT</td><td>RATE_LIMITED</td></tr>
 *   <tr><td>KAFKA_UNAVAILABLE, PRESENCE_NOT_CONFIGURED, PRESENCE_UNAVAILABLE</td><td>UNAVAILABLE</td></tr>
 *   <tr><td>CALL_ENDED</td><td>TIMEOUT</td></tr>
 *   <tr><td>OUT_OF_SEQUENCE</td><td>UNAVAILABLE (an earlier publish into the room failed: resend from it, in
 *       order)</td></tr>
 * </table>
 *
 * A failure without a router reason comes from the call itself or from the gateway's router client (connection
 * refused or reset, circuit breakers open, deadline passed); its gRPC code decides: UNAVAILABLE is UNAVAILABLE,
 * DEADLINE_EXCEEDED is TIMEOUT, INVALID_ARGUMENT is BAD_REQUEST, RESOURCE_EXHAUSTED is RATE_LIMITED,
 * PERMISSION_DENIED is PERMISSION_DENIED, anything else (or a non-gRPC failure) INTERNAL. A description is shown
 * to the client, never searched. Whether the client may retry follows from the code ({@link
 * ClientError#retriable()}). Stateless, thread-safe.
 */
public final class StatusMapper {
    private StatusMapper() {
    }

    /** Maps a failed router call (any throwable, possibly wrapped by a future) to the client error. */
    public static ClientError map(Throwable failure) {
        Throwable t = unwrap(failure);
        Status status = Status.fromThrowable(t);
        Optional<RouterErrorReason> reason = RouterErrorReason.of(t);
        if (reason.isPresent()) {
            return map(reason.get(), description(status));
        }
        if (status.getCode() == Status.Code.UNKNOWN && status.getDescription() == null) {
            return new ClientError(ErrorCode.INTERNAL, "internal error: " + t.getClass().getSimpleName());
        }
        return map(status);
    }

    /** The table: what a router's reason means to the client. */
    static ClientError map(RouterErrorReason reason, String description) {
        return switch (reason) {
            case INVALID_REQUEST, ID_REUSED -> new ClientError(ErrorCode.BAD_REQUEST,
                    orDefault(description, "invalid request"));
            case PAYLOAD_TOO_LARGE, RECORD_TOO_LARGE -> new ClientError(ErrorCode.PAYLOAD_TOO_LARGE,
                    orDefault(description, "payload too large"));
            case TOO_MANY_IN_FLIGHT -> new ClientError(ErrorCode.RATE_LIMITED,
                    orDefault(description, "too many publishes in flight"));
            case KAFKA_UNAVAILABLE, PRESENCE_NOT_CONFIGURED, PRESENCE_UNAVAILABLE -> unavailable(description);
            case CALL_ENDED -> timeout();
            case OUT_OF_SEQUENCE -> new ClientError(ErrorCode.UNAVAILABLE,
                    orDefault(description, "an earlier publish into the room failed; resend from it, in order"));
        };
    }

    /** A failure without a router reason (the transport's or the gateway's own), by its gRPC code. */
    public static ClientError map(Status status) {
        String description = description(status);
        return switch (status.getCode()) {
            case INVALID_ARGUMENT -> new ClientError(ErrorCode.BAD_REQUEST, orDefault(description, "invalid request"));
            case RESOURCE_EXHAUSTED -> new ClientError(ErrorCode.RATE_LIMITED,
                    orDefault(description, "too many publishes in flight"));
            case UNAVAILABLE -> unavailable(description);
            case DEADLINE_EXCEEDED -> timeout();
            case PERMISSION_DENIED -> new ClientError(ErrorCode.PERMISSION_DENIED,
                    orDefault(description, "permission denied"));
            default -> new ClientError(ErrorCode.INTERNAL, "internal error (" + status.getCode() + ")");
        };
    }

    private static ClientError unavailable(String description) {
        return new ClientError(ErrorCode.UNAVAILABLE,
                "router unavailable" + (description.isEmpty() ? "" : ": " + description));
    }

    private static ClientError timeout() {
        return new ClientError(ErrorCode.TIMEOUT, "no acknowledgement in time; retry with the same id");
    }

    private static String description(Status status) {
        return status.getDescription() == null ? "" : status.getDescription();
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
