package io.switchboard.gateway.ws;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Test sinks' held writes: wait until the test releases them, keeping an interrupt visible. */
public final class Release {
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    private Release() {
    }

    /** {@link #await(CountDownLatch, Duration)} for at most 10 s. */
    static void await(CountDownLatch release) {
        await(release, DEFAULT_WAIT);
    }

    /**
     * Waits for {@code release} at most {@code within}; a timeout fails the write, and an interrupt is restored and
     * fails it, as a real blocked write would.
     */
    public static void await(CountDownLatch release, Duration within) {
        try {
            if (!release.await(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("never released within " + within);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
