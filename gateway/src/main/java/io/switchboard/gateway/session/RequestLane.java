package io.switchboard.gateway.session;

import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A connection's requests in the order they arrived, without blocking its reader. A request that needs an answer
 * first (a permission the application's backend must give) returns the stage it waits for; the requests after it
 * wait in this lane until that stage completes, and then run on the thread that completed it. While no request
 * waits, each runs at once on the caller's thread, so a request decided from the token or a cached answer costs
 * a lock and no queueing. So a Publish after a Subscribe is sent after the subscription exists, and an
 * Unsubscribe cannot overtake its Subscribe, whichever of them had to ask.
 *
 * <p>Bounded: at most {@link #MAX_WAITING} requests and {@link #MAX_WAITING_BYTES} bytes wait; the caller refuses
 * what does not fit. Steps from the server side (a backend's SubscribeUser) always fit: they are few and must not
 * be lost. Thread-safe: the waiting requests and the busy flag are guarded by {@code lock}; one step runs at a
 * time, and the lock's hand-over orders each step after the one before it.
 */
final class RequestLane {
    /** Requests one connection may have waiting behind an unanswered permission check. */
    static final int MAX_WAITING = 256;
    /** Bytes (as received) of the requests waiting behind an unanswered permission check. */
    static final long MAX_WAITING_BYTES = 1 << 20;

    private static final Logger LOG = Logger.getLogger(RequestLane.class.getName());

    /** One request's work. */
    @FunctionalInterface
    interface Step {
        /**
         * Does the request's work, or starts it.
         *
         * @return null when later requests need not wait, else the stage they wait for (its outcome is ignored)
         */
        CompletionStage<?> run();
    }

    private record Waiting(Step step, long bytes) {
    }

    private final String sessionId;
    private final ReentrantLock lock = new ReentrantLock();
    // @GuardedBy("lock")
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    // @GuardedBy("lock")
    private long waitingBytes;
    // @GuardedBy("lock"): a step runs or waits for its stage
    private boolean busy;
    // @GuardedBy("lock")
    private boolean stopped;

    RequestLane(String sessionId) {
        this.sessionId = sessionId;
    }

    /**
     * Runs {@code step} now when nothing waits, else queues it behind the waiting ones.
     *
     * @param bytes the request's size, counted against {@link #MAX_WAITING_BYTES} while it waits
     * @return false when it did not fit (nothing is run; the caller refuses the request) or the lane is stopped
     */
    boolean offer(Step step, long bytes) {
        return submit(step, bytes, false);
    }

    /** {@link #offer} for a step that must not be refused (from the server side): it waits however many do. */
    void offerAlways(Step step) {
        submit(step, 0, true);
    }

    private boolean submit(Step step, long bytes, boolean mandatory) {
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            if (busy) {
                if (!mandatory && (waiting.size() >= MAX_WAITING || waitingBytes + bytes > MAX_WAITING_BYTES)) {
                    return false;
                }
                waiting.add(new Waiting(step, bytes));
                waitingBytes += bytes;
                return true;
            }
            busy = true;
        } finally {
            lock.unlock();
        }
        drainFrom(step);
        return true;
    }

    /** Runs {@code first} and then what waits, until a step must wait or nothing is left. Holds the busy flag. */
    private void drainFrom(Step first) {
        Step next = first;
        while (next != null) {
            CompletionStage<?> gate = run(next);
            if (gate != null && !gate.toCompletableFuture().isDone()) {
                gate.whenComplete((result, failure) -> drainFrom(poll()));
                return;
            }
            next = poll();
        }
    }

    /** The next waiting step, or null after clearing the busy flag when none waits (or the lane stopped). */
    private Step poll() {
        lock.lock();
        try {
            Waiting w = stopped ? null : waiting.poll();
            if (w == null) {
                busy = false;
                return null;
            }
            waitingBytes -= w.bytes();
            return w.step();
        } finally {
            lock.unlock();
        }
    }

    private CompletionStage<?> run(Step step) {
        try {
            return step.run();
        } catch (RuntimeException e) {
            // A bug in one request must not stall the lane: log it and go on with the next.
            LOG.log(Level.SEVERE, "Request failed in session " + sessionId, e);
            return null;
        }
    }

    /** Requests waiting now (not counting one that runs). */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /** The session closed: what waits is dropped, and nothing more runs after the step that may be running. */
    void stop() {
        lock.lock();
        try {
            stopped = true;
            waiting.clear();
            waitingBytes = 0;
        } finally {
            lock.unlock();
        }
    }
}
