package io.switchboard.testkit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a future in a test client: a timeout, a failure or an interrupt fails the test. */
public final class TestFutures {
    private TestFutures() {
    }

    /**
     * The value of {@code future} within {@code timeout}; otherwise an {@link AssertionError} ("{@code what} within
     * {@code timeout}" on a timeout, the cause on a failure; an interrupt is restored).
     */
    public static <T> T await(CompletableFuture<T> future, Duration timeout, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + " within " + timeout, e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
