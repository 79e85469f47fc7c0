package io.switchboard.router;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how many publishes wait for Kafka at once. Never blocks: a publish beyond the limit is refused
 * so that memory stays bounded and the caller can retry elsewhere. Thread-safe.
 */
final class InFlightLimiter {
    private final int limit;
    private final Semaphore permits;

    InFlightLimiter(int limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: > 0)");
        }
        this.limit = limit;
        this.permits = new Semaphore(limit);
    }

    /** Takes a slot if one is free; every successful call must be followed by exactly one {@link #release()}. */
    boolean tryAcquire() {
        return permits.tryAcquire();
    }

    void release() {
        permits.release();
    }

    /**
     * Waits until no publish holds a slot, up to {@code timeout}. Returns whether that happened. Meant for
     * shutdown, after new calls are refused: it briefly holds every slot, so a racing publish is refused.
     */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        if (permits.tryAcquire(limit, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            permits.release(limit);
            return true;
        }
        return false;
    }

    /** Publishes currently holding a slot. */
    int inFlight() {
        return limit - permits.availablePermits();
    }

    int limit() {
        return limit;
    }
}
