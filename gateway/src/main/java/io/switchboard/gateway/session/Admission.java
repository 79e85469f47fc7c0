package io.switchboard.gateway.session;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Whether the gateway takes new work, and how many publishes are still waiting for a router. The gateway is
 * open once started and ready; a drain closes it for good: new WebSocket upgrades are refused, new publishes
 * get UNAVAILABLE, and the drain waits for {@link #awaitNoPublishesInFlight} before closing connections.
 * Thread-safe: the counter and the draining flag change together under one lock, so a publish either starts
 * before the drain begins (and is waited for) or is refused.
 */
public final class Admission {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    // @GuardedBy("lock")
    private int inFlight;
    // Written under lock; read without it by health checks and the upgrade filter.
    private volatile boolean ready;
    private volatile boolean draining;

    /** Marks the gateway ready (after Kafka positioning). */
    public void ready() {
        ready = true;
    }

    /** True while new connections are welcome: ready and not draining. */
    public boolean isOpen() {
        return ready && !draining;
    }

    public boolean isDraining() {
        return draining;
    }

    /** Starts draining; irreversible. */
    public void startDraining() {
        lock.lock();
        try {
            draining = true;
        } finally {
            lock.unlock();
        }
    }

    /** Counts a publish in unless draining; the caller must call {@link #publishFinished()} exactly once. */
    public boolean tryStartPublish() {
        lock.lock();
        try {
            if (draining) {
                return false;
            }
            inFlight++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    public void publishFinished() {
        lock.lock();
        try {
            inFlight--;
            if (inFlight == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    public int publishesInFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until no publish is in flight or {@code timeout} passes.
     *
     * @return true when none is in flight
     */
    public boolean awaitNoPublishesInFlight(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (inFlight > 0) {
                if (left <= 0) {
                    return false;
                }
                left = idle.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
