package io.switchboard.drill;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One fault drill over a running {@link DrillLoad} (a {@link LoadDriver}, or {@link ChildLoads} in worker processes): wait for the steady state, inject the fault, measure until
 * every client is live again, heal, keep the load running a little, stop publishing, wait until every acked
 * message has been delivered, and report. Used by the chaos tests and by {@code switchboard drill}.
 */
public final class Drill {
    private static final System.Logger LOG = System.getLogger(Drill.class.getName());

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
    public static DrillResult run(String scenario, DrillLoad load, Fault fault, Timeouts timeouts) {
        Objects.requireNonNull(fault, "fault");
        PhaseClock phases = new PhaseClock();
        if (!waitFor(load::allRecovered, timeouts.steady())) {
            throw new IllegalStateException(scenario + ": no steady state within " + timeouts.steady()
                    + "; idle clients: " + load.notRecovered());
        }
        phases.end("steady");
        load.faultInjected();
        String description = fault.inject();
        phases.end("inject");
        waitFor(load::allRecovered, timeouts.recovery());
        phases.end("recovery");
        fault.heal();
        phases.end("heal");
        pause(timeouts.after());
        load.stopPublishing();
        waitFor(load::idle, timeouts.settle());
        waitFor(load::allDelivered, timeouts.settle());
        phases.end("after+settle");
        LOG.log(System.Logger.Level.INFO, scenario + " phases: " + phases);
        return load.result(scenario, description);
    }

    /** How long each phase of a drill took, for finding where a suite's time goes (logged, never asserted). */
    private static final class PhaseClock {
        private final StringBuilder text = new StringBuilder();
        private long last = System.nanoTime();

        void end(String phase) {
            long now = System.nanoTime();
            text.append(text.isEmpty() ? "" : ", ").append(phase).append(' ')
                    .append(TimeUnit.NANOSECONDS.toMillis(now - last)).append(" ms");
            last = now;
        }

        @Override
        public String toString() {
            return text.toString();
        }
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
