package io.switchboard.gateway.session;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The two deadlines of a connection's life, run on the gateway's timer: Connect must arrive within the connect
 * timeout, and a close must complete within the close timeout (else the transport is aborted). Thread-safe; one
 * per gateway. The timer must run only short, non-blocking tasks.
 */
final class SessionTimeouts {
    private final ScheduledExecutorService timer;
    private final Duration connectTimeout;
    private final Duration closeTimeout;

    SessionTimeouts(ScheduledExecutorService timer, Duration connectTimeout, Duration closeTimeout) {
        this.timer = timer;
        this.connectTimeout = connectTimeout;
        this.closeTimeout = closeTimeout;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    /** Runs {@code task} once the connect timeout has passed, unless the returned future is cancelled first. */
    Future<?> afterConnectTimeout(Runnable task) {
        return timer.schedule(task, connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs {@code task} once the close timeout has passed, unless the returned future is cancelled first. */
    Future<?> afterCloseTimeout(Runnable task) {
        return timer.schedule(task, closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
