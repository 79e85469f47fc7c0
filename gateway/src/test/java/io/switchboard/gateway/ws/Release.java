package io.switchboard.gateway.ws;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Test sinks' held writes: wait until the test releases them (at most 10 s), keeping an interrupt visible. */
final class Release {
    private Release() {
    }

    /** Waits for {@code release}; an interrupt is restored and fails the write, as a real blocked write would. */
    static void await(CountDownLatch release) {
        try {
            if (!release.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
