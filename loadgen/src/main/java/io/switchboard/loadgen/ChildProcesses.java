package io.switchboard.loadgen;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Ending the generator's child processes. Stateless, thread-safe. */
final class ChildProcesses {
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private ChildProcesses() {
    }

    /**
     * Waits up to {@code grace} for {@code process} (already asked to stop) to exit, then kills it; restores the
     * interrupt flag and kills it at once when interrupted.
     */
    static void awaitExitOrKill(Process process, Duration grace) {
        try {
            if (!process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly().waitFor(KILL_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
