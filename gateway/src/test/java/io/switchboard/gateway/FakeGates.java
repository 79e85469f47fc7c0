package io.switchboard.gateway;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** How the fake tiers hold a call until a test releases it. Stateless. */
final class FakeGates {
    private FakeGates() {
    }

    /**
     * Waits for {@code gate}; when it is not released within 30 s (INTERNAL) or the wait is interrupted (CANCELLED),
     * fails the call instead.
     *
     * @return whether the call may go on
     */
    static boolean passed(CountDownLatch gate, StreamObserver<?> response) {
        try {
            if (gate.await(30, TimeUnit.SECONDS)) {
                return true;
            }
            response.onError(Status.INTERNAL.withDescription("fake: never released").asRuntimeException());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
        }
        return false;
    }
}
