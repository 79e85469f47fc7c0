package io.switchboard.router;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.switchboard.service.telemetry.LogContext;

/**
 * Holds a room's publishes behind one that waits (a failover attempt waiting for the dedup memory to catch up with
 * the log), so that they still start in arrival order, without holding anything else: the caller's thread (a
 * publish stream's, which carries every room of a gateway) goes on at once. A room with nothing held runs its
 * publish at once on the caller's thread; a held one runs on {@code executor}, after the room's earlier held
 * publishes have started. A held publish runs in the trace context its caller had (the router's {@code route}
 * span, so that the log's send span is its child; the trace id in its log lines), as an inline one does. Memory:
 * one future per room with a publish held.
 *
 * <p>Thread-safe: the room's chain is extended under the map's per-key lock; steps never run under it.
 */
final class HeldRooms {
    private static final System.Logger LOG = System.getLogger(HeldRooms.class.getName());
    private final Executor executor;
    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    HeldRooms(Executor executor) {
        this.executor = executor;
    }

    /**
     * Runs {@code step} once {@code wait} completed (null: nothing to wait for) and every earlier held step of
     * {@code room} ran; {@code step} gets whether the wait ended well (true without a wait). A held {@code step}'s
     * exception is logged (an inline one reaches the caller).
     */
    void run(String room, CompletableFuture<Boolean> wait, Consumer<Boolean> step) {
        // Captured here, not by wrapping the executor: a task is handed to the executor by whichever thread
        // completes the wait or the room's previous step, and would run in that thread's context.
        Context caller = Context.current();
        AtomicReference<CompletableFuture<Void>> held = new AtomicReference<>();
        tails.compute(room, (r, tail) -> {
            if (tail == null && wait == null) {
                return null;
            }
            CompletableFuture<Boolean> ready = wait == null ? CompletableFuture.completedFuture(true) : wait;
            CompletableFuture<Boolean> after = tail == null ? ready : tail.thenCombine(ready, (done, ok) -> ok);
            held.set(after.handleAsync((ok, failure) -> {
                Scope current = caller.makeCurrent();
                LogContext.Scope logged = logged(caller);
                try {
                    step.accept(failure == null && ok);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "held publish into " + room + " failed", e);
                } finally {
                    logged.close();
                    current.close();
                }
                return null;
            }, executor));
            return held.get();
        });
        CompletableFuture<Void> mine = held.get();
        if (mine == null) {
            step.accept(true);
            return;
        }
        mine.whenComplete((done, failure) -> tails.remove(room, mine));
    }

    /** The caller's trace id in a held step's log lines, as {@code RouterSpans} puts it in an inline one's. */
    private static LogContext.Scope logged(Context caller) {
        SpanContext span = Span.fromContext(caller).getSpanContext();
        return span.isValid() ? LogContext.trace(span.getTraceId()) : () -> { };
    }

    /** Rooms with a publish held now (tests). */
    int heldRooms() {
        return tails.size();
    }
}
