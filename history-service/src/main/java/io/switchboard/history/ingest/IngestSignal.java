package io.switchboard.history.ingest;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Wakes threads waiting for the ingest progress to reach a point: the ingest thread calls {@link #advanced()}
 * after every durable batch, readers {@link #await} a condition on the store. Thread-safe.
 */
public final class IngestSignal {
    /** Upper bound of one wait, so that a waiter notices cancellation of its call without a signal. */
    private static final long MAX_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    /** Called after the store's progress moved. */
    public void advanced() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until {@code reached} is true, {@code deadlineNanos} (a {@link System#nanoTime()} value) passes or
     * {@code abandoned} becomes true. Returns whether {@code reached} held.
     */
    public boolean await(BooleanSupplier reached, BooleanSupplier abandoned, long deadlineNanos)
            throws InterruptedException {
        lock.lock();
        try {
            while (!reached.getAsBoolean()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || abandoned.getAsBoolean()) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, MAX_SLICE_NANOS));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
