package io.switchboard.service;

import io.grpc.Status;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Calls one of several interchangeable backends (the presence instances), failing over on {@code UNAVAILABLE}:
 * each call starts with the target that answered the last call, and moves to the next one, each tried at most once,
 * while the answer is {@code UNAVAILABLE} (refused, not ready, or "not mine": a presence instance that does not own
 * a room's shard). Any other outcome ends the call: {@code DEADLINE_EXCEEDED} leaves the outcome unknown, and a
 * request one backend rejects as invalid, the others would reject too. With every target unavailable the call
 * fails with the last {@code UNAVAILABLE}. Thread-safe.
 *
 * @param <T> a target, e.g. a stub or channel of one instance
 */
public final class Failover<T> {
    private final List<T> targets;
    private final AtomicInteger preferred = new AtomicInteger();

    /** @param targets one or more targets, in the order tried after the preferred one */
    public Failover(List<T> targets) {
        this.targets = List.copyOf(targets);
        if (this.targets.isEmpty()) {
            throw new IllegalArgumentException("targets: [] (expected: at least one)");
        }
    }

    /** The targets, in configuration order. */
    public List<T> targets() {
        return targets;
    }

    /**
     * Makes {@code call} on the preferred target, then on the next ones while it fails with {@code UNAVAILABLE};
     * never blocks. The future fails with the last target's exception (a {@code StatusRuntimeException} for gRPC).
     *
     * @param call starts the call on one target; an exception it throws counts as that target's failure
     */
    public <R> CompletableFuture<R> call(Function<? super T, CompletableFuture<R>> call) {
        Objects.requireNonNull(call, "call");
        CompletableFuture<R> result = new CompletableFuture<>();
        attempt(call, preferred.get(), 0, result);
        return result;
    }

    private <R> void attempt(Function<? super T, CompletableFuture<R>> call, int first, int tried,
                             CompletableFuture<R> result) {
        int index = (first + tried) % targets.size();
        Futures.started(() -> call.apply(targets.get(index))).whenComplete((response, failure) -> {
            if (failure == null) {
                preferred.set(index);
                result.complete(response);
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (tried + 1 < targets.size() && Status.fromThrowable(cause).getCode() == Status.Code.UNAVAILABLE) {
                attempt(call, first, tried + 1, result);
            } else {
                result.completeExceptionally(cause);
            }
        });
    }
}
