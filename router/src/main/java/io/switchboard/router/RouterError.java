package io.switchboard.router;

import java.util.Objects;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.switchboard.proto.RouterErrorReason;

/**
 * A failed {@code RouterService} call as the router answers it: the gRPC status (code and description, for people
 * and metrics) and the machine-readable reason its caller decides on, sent as a {@code google.rpc.ErrorInfo}
 * detail ({@link #asException()}). Immutable.
 *
 * @param status the code and description
 * @param reason why, for programs
 */
record RouterError(Status status, RouterErrorReason reason) {
    RouterError {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
    }

    /** What the service's observer fails with: the status, the reason in its details. */
    StatusRuntimeException asException() {
        return reason.toException(status);
    }

    Status.Code code() {
        return status.getCode();
    }

    String description() {
        return status.getDescription();
    }
}
