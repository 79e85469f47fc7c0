package io.switchboard.gateway.drain;

import java.time.Duration;
import java.time.Instant;

/**
 * What a finished drain did, for the log line and for tests. Immutable.
 *
 * @param started        when the drain began
 * @param duration       from start to the last close request
 * @param closed         connections the drain closed (Drain frame, then 3000)
 * @param forced         of those, how many were closed at once when pacing stopped at 80 % of the timeout
 * @param acksCompleted  publishes in flight on announced connections that got their answer before the close
 * @param acksCutShort   publishes still in flight when their connection was closed at the force point
 * @param batches        paced batches sent (not counting the forced one)
 */
public record DrainReport(Instant started, Duration duration, int closed, int forced, int acksCompleted,
                          int acksCutShort, int batches) {
    @Override
    public String toString() {
        return closed + " connections closed in " + batches + " batches (" + forced + " at once at the deadline), "
                + acksCompleted + " in-flight publishes acked first, " + acksCutShort + " cut short, took "
                + duration.toMillis() + " ms";
    }
}
