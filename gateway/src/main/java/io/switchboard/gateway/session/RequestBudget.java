package io.switchboard.gateway.session;

import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * How many requests of one kind a connection may have waiting for a backend at once. A request takes a slot with
 * {@link #tryAcquire()} before it is sent and gives it back with {@link #release()} once it is answered; a
 * request beyond the limit is refused with {@link #exhausted()} (RATE_LIMITED, retriable) and nothing is sent.
 *
 * <p>Thread-safe: slots are taken by the connection's reader thread and given back by whichever thread completes
 * the backend call; the count never exceeds the limit.
 */
final class RequestBudget {
    private final String requests;
    private final int limit;
    private final String advice;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param requests what is counted, for the refusal message, e.g. {@code "publishes"}
     * @param limit    requests that may be waiting at once; at least 1
     * @param advice   what the client should do when refused, e.g. {@code "wait for acks"}
     */
    RequestBudget(String requests, int limit, String advice) {
        if (limit < 1) {
            throw new IllegalArgumentException(requests + " in flight limit: " + limit + " (expected: >= 1)");
        }
        this.requests = requests;
        this.limit = limit;
        this.advice = advice;
    }

    /** Takes a slot; false (and nothing taken) when all {@code limit} slots are in use. */
    boolean tryAcquire() {
        while (true) {
            int n = inFlight.get();
            if (n >= limit) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a slot taken by {@link #tryAcquire()}; exactly once per successful acquire. */
    void release() {
        if (inFlight.decrementAndGet() < 0) {
            inFlight.incrementAndGet();
            throw new IllegalStateException(requests + " in flight: released more than acquired");
        }
    }

    /** Requests waiting now. */
    int inFlight() {
        return inFlight.get();
    }

    /**
     * The error of a refused request: the count it would have made and the limit, in the one message shape,
     * e.g. {@code publishes in flight: 65 (expected: <= 64); wait for acks}.
     */
    ClientError exhausted() {
        return new ClientError(ErrorCode.RATE_LIMITED,
                requests + " in flight: " + (limit + 1) + " (expected: <= " + limit + "); " + advice);
    }
}
