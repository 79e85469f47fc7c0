package io.switchboard.service;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Asynchronous calls whose caller handles a failure in one place, however the call failed. Stateless. */
public final class Futures {
    private Futures() {
    }

    /**
     * The future {@code start} returns; if {@code start} throws a {@link RuntimeException} instead (a call refused
     * before it began), a future failed with that exception, so that the caller's {@code handle} or
     * {@code whenComplete} sees it as it would see a call that failed later.
     */
    public static <T> CompletableFuture<T> started(Supplier<CompletableFuture<T>> start) {
        try {
            return start.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
