package io.switchboard.drill;

import java.util.Set;

/**
 * A running client load as {@link Drill} drives it: in this JVM ({@link LoadDriver}) or spread over worker
 * processes ({@link ChildLoads}). Before {@link #faultInjected()}, {@link #allRecovered()} means the steady state
 * (every client has succeeded since the load started).
 */
public interface DrillLoad extends AutoCloseable {
    /** Every client has succeeded since the fault (or since the start, before any fault). */
    boolean allRecovered();

    /** The clients that have not, for an error message. */
    Set<String> notRecovered();

    /** Marks the fault: recovery is measured from now. */
    void faultInjected();

    /** Stops starting new publishes. */
    void stopPublishing();

    /** No publish in flight (after {@link #stopPublishing()}). */
    boolean idle();

    /** Every acked message has reached every subscriber of its room. */
    boolean allDelivered();

    /** The outcome so far. */
    DrillResult result(String scenario, String fault);

    /** Closes every client (and worker process). */
    @Override
    void close();
}
