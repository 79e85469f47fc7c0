package io.switchboard.drill;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One fault drill over a running {@link LoadDriver}: wait for the steady state, inject the fault, measure until
 * every client is live again, heal, keep the load running a little, stop publishing, wait until every acked
 * message has been delivered, and report. Used by the chaos tests and by {@code switchboard drill}.
 */
public final class Drill {
    /**
     * Bounds of each phase.
     *
     * @param steady   until every client has succeeded once before the fault
     * @param recovery until every client has succeeded again after the fault
     * @param after    load kept running after healing (a workload duration, not a synchronisation)
     * @param settle   until every publish in flight has ended and every acked message has been delivered
     */
    public record Timeouts(Duration steady, Duration recovery, Duration after, Duration settle) {
        public static Timeouts defaults() {
            return new Timeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(3), Duration.ofSeconds(90));
        }
    }

    /** A fault and how to undo it. */
    public interface Fault {
        /** Injects the fault; returns a description for the report, e.g. "SIGKILL router-1 (pid 123)". */
        String inject();

        /** Undoes it (restart the process, heal the network); runs after recovery was measured. */
        void heal();
    }

    private Drill() {
    }

    /** Runs {@code fault} against {@code load} and returns the outcome (the load is stopped afterwards). */
    public static DrillResult run(String scenario, LoadDriver load, Fault fault, Timeouts timeouts) {
        Objects.requireNonNull(fault, "fault");
        if (!waitFor(load.recovery()::allRecovered, timeouts.steady())) {
            throw new IllegalStateException(scenario + ": no steady state within " + timeouts.steady()
                    + "; idle clients: " + load.recovery().notRecovered());
        }
        load.recovery().faultInjected();
        String description = fault.inject();
        waitFor(load.recovery()::allRecovered, timeouts.recovery());
        fault.heal();
        pause(timeouts.after());
        load.stopPublishing();
        waitFor(load::idle, timeouts.settle());
        waitFor(load.checker()::allDelivered, timeouts.settle());
        return load.result(scenario, description);
    }

    /** Waits up to {@code timeout} for {@code condition}; true when it held, false when the time ran out. */
    static boolean waitFor(BooleanSupplier condition, Duration timeout) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(condition::getAsBoolean);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    private static void pause(Duration duration) {
        try {
            TimeUnit.MILLISECONDS.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("drill interrupted", e);
        }
    }
}
