package io.switchboard.router;

/**
 * Brings the dedup memory up to date with the room log before a publish that may repeat one stored by another
 * router is checked: production follows the log ({@code io.switchboard.router.kafka.RoomLogIndexer}); without it
 * nothing is done. Implementations are thread-safe and wait boundedly.
 */
@FunctionalInterface
interface DedupCatchUp {
    /** Nothing to catch up with: dedup knows only this router's own publishes. */
    DedupCatchUp NONE = (room, sinceNanos) -> true;

    /**
     * Waits (bounded) until everything the log acknowledged for {@code room} before {@code sinceNanos} ({@code
     * System.nanoTime()}) is in the dedup memory. Returns whether it is; the publish goes on either way.
     */
    boolean await(String room, long sinceNanos) throws InterruptedException;
}
