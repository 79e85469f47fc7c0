package io.switchboard.service;

import java.time.Duration;

/**
 * Stopping the thread that owns a blocking loop, such as a Kafka consumer's poll loop: wake the loop, then wait a
 * bounded time for the thread to end (it closes what it owns on its way out). The caller sets its own stop flag
 * first and decides what a thread that did not end means.
 */
public final class LoopThreads {
    private LoopThreads() {
    }

    /**
     * Runs {@code wakeup} (e.g. {@code KafkaConsumer::wakeup}, which makes a blocked {@code poll} throw), then waits up
     * to {@code timeout} for {@code thread} to end; a thread never started counts as ended.
     *
     * @return whether the thread has ended; false when it still runs after {@code timeout} or the wait was
     *         interrupted (the interrupt flag is then restored)
     */
    public static boolean stop(Thread thread, Runnable wakeup, Duration timeout) {
        wakeup.run();
        try {
            if (thread.isAlive()) {
                thread.join(timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }
}
