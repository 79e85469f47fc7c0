package io.switchboard.router;

import java.util.concurrent.CompletableFuture;

/**
 * Tells when the dedup memory has caught up with the room log, before a publish that may repeat one stored by
 * another router is checked: production follows the log ({@code io.switchboard.router.kafka.RoomLogIndexer});
 * without it there is nothing to wait for. Implementations are thread-safe, never block and answer within a bound.
 */
@FunctionalInterface
interface DedupCatchUp {
    /** Nothing to catch up with: dedup knows only this router's own publishes. */
    DedupCatchUp NONE = (room, sinceNanos) -> CompletableFuture.completedFuture(true);

    /**
     * Completes once everything the log acknowledged for {@code room} before {@code sinceNanos} ({@code
     * System.nanoTime()}) is in the dedup memory: with true, or with false when that did not happen within the
     * bound (the publish goes on either way). It may complete on any thread.
     */
    CompletableFuture<Boolean> caughtUp(String room, long sinceNanos);
}
