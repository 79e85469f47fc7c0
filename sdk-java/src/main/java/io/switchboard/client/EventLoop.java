package io.switchboard.client;

import java.time.Duration;

/**
 * One client's event loop: every task, immediate or delayed, runs on a {@link SerialExecutor} over the
 * (possibly shared) base scheduler, so client state needs no locks. Thread-safe.
 */
final class EventLoop implements Scheduler {
    private final Scheduler base;
    private final SerialExecutor serial;

    EventLoop(Scheduler base) {
        this.base = base;
        this.serial = new SerialExecutor(base);
    }

    @Override
    public void execute(Runnable task) {
        serial.execute(task);
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        return base.schedule(() -> serial.execute(task), delay);
    }

    /** True when the calling thread is running one of this loop's tasks. */
    boolean inLoop() {
        return serial.runningOnThisThread();
    }
}
