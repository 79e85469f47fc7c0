package io.switchboard.gateway.routing;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.grpc.Status;

/**
 * Which router outcomes say something about the router itself. Only UNAVAILABLE (connection refused or reset,
 * channel not ready, router shedding load) and DEADLINE_EXCEEDED count against a router's circuit breaker;
 * INVALID_ARGUMENT, RESOURCE_EXHAUSTED, PERMISSION_DENIED and the rest are answers about the request and count
 * as successes. Only UNAVAILABLE is retried on the next router: DEADLINE_EXCEEDED leaves the outcome unknown
 * (the first router may still store the message), and the deadline is spent anyway, so the client gets TIMEOUT
 * and retries with the same id. Stateless, thread-safe.
 */
public final class FailurePolicy {
    private FailurePolicy() {
    }

    /** True when {@code failure} is recorded as a failure by the router's circuit breaker. */
    public static boolean countsAgainstRouter(Throwable failure) {
        Status.Code code = Status.fromThrowable(unwrap(failure)).getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
    }

    /** True when the same request may be sent again to the next router in the ranking. */
    public static boolean retriableElsewhere(Throwable failure) {
        return Status.fromThrowable(unwrap(failure)).getCode() == Status.Code.UNAVAILABLE;
    }

    static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }
}
