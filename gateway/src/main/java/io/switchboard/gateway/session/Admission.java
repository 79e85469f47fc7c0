package io.switchboard.gateway.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
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
    private static final SecureRandom RANDOM = new SecureRandom();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    // @GuardedBy("lock")
    private int inFlight;
    // Written under lock; read without it by health checks and the upgrade filter.
    private volatile boolean ready;
    private volatile boolean draining;
    // Set while the start-up warm-up connects to this gateway; null otherwise.
    private volatile String warmUpPass;

    /** Marks the gateway ready (after Kafka positioning). */
    public void ready() {
        ready = true;
    }

    /** True while new connections are welcome: ready and not draining. */
    public boolean isOpen() {
        return ready && !draining;
    }

    /**
     * Whether a WebSocket upgrade is let in: while {@link #isOpen()}, or before ready when it carries the pass of
     * the start-up warm-up ({@code pass} may be null: none).
     */
    public boolean admitsUpgrade(String pass) {
        if (isOpen()) {
            return true;
        }
        String expected = warmUpPass;
        // Ready and not draining is open (above); so past here the pass counts only while not draining.
        return expected != null && pass != null && !draining
                && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                pass.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Makes the pass of the start-up warm-up's connections (128 random bits, made for this call), which
     * {@link #admitsUpgrade} accepts until {@link #closeWarmUp()} or ready.
     */
    public String openForWarmUp() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        String pass = HexFormat.of().formatHex(bits);
        warmUpPass = pass;
        return pass;
    }

    /** Admits no more warm-up connections. */
    public void closeWarmUp() {
        warmUpPass = null;
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
