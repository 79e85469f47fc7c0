package io.switchboard.client;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The token bucket every file transfer of one client draws from, so that their chunks together stay below
 * {@code fileBytesPerSecond} (and so below the gateway's per-connection byte rate): refilled at that rate, holding
 * at most one second's worth. Not thread-safe: event loop only.
 */
final class FilePacer {
    private final long bytesPerSecond;
    private final InstantSource clock;
    private long allowance;
    private Instant refilled;

    FilePacer(long bytesPerSecond, InstantSource clock) {
        this.bytesPerSecond = bytesPerSecond;
        this.clock = clock;
        this.allowance = bytesPerSecond;
    }

    /** Takes {@code bytes} and returns zero, or takes nothing and returns how long to wait before asking again. */
    Duration take(int bytes) {
        Instant now = clock.instant();
        if (refilled != null) {
            long elapsedNanos = Duration.between(refilled, now).toNanos();
            allowance = Math.min(bytesPerSecond, allowance + (long) (elapsedNanos / 1e9 * bytesPerSecond));
        }
        refilled = now;
        if (allowance >= bytes) {
            allowance -= bytes;
            return Duration.ZERO;
        }
        long waitNanos = (long) Math.ceil((bytes - allowance) * 1e9 / bytesPerSecond);
        return Duration.ofNanos(Math.max(waitNanos, 1_000_000));
    }
}
