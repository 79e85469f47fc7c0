package io.switchboard.gateway.ws;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A few long-lived writer threads (platform threads) shared by many connections: an {@link OutboundQueue} with frames to write
 * schedules itself on its lane, and the lane's thread writes the queues in turn. Delivering a room message to its
 * subscribers then wakes a lane at most once instead of starting a writer thread per connection (a thread's start,
 * scheduling and end cost about as much CPU as the socket write it makes at a few messages per second per
 * connection).
 *
 * <p>A write normally returns at once (the socket takes it). One that blocks on a client that does not read would
 * hold up every other connection of its lane, so a watchdog checks the lanes every {@code stallAfter / 2}: a lane
 * whose current write has not returned within {@code stallAfter} gets a new thread that goes on with the lane's
 * other connections, while the stuck thread stays with its connection as that connection's own writer; the
 * connection writes through its own threads from then on ({@link OutboundQueue}). A lane's thread is never
 * interrupted: a connection is aborted by closing its transport ({@link FrameSink#abort()}), which fails its
 * blocked write without touching the other connections of the lane.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #stop()} after the connections are closed; a queue that finds its
 * lane stopped writes through a thread of its own. Thread-safe.
 */
public final class WriterLanes {
    private static final Logger LOG = Logger.getLogger(WriterLanes.class.getName());

    private final String name;
    private final Lane[] lanes;
    private final long stallNanos;
    private final Duration checkEvery;
    private final AtomicInteger nextLane = new AtomicInteger();
    private final AtomicBoolean started = new AtomicBoolean();
    private final LongAdder stalls = new LongAdder();
    private volatile boolean stopped;
    private Thread watchdog;

    /**
     * @param name       names the lane threads ({@code name-lane-N}) and the watchdog
     * @param count      lanes (writer threads), at least 1
     * @param stallAfter a write running longer than this moves the rest of its lane to a new thread
     */
    public WriterLanes(String name, int count, Duration stallAfter) {
        this.name = Objects.requireNonNull(name, "name");
        if (count < 1) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 1)");
        }
        if (stallAfter.isNegative() || stallAfter.isZero()) {
            throw new IllegalArgumentException("stallAfter: " + stallAfter + " (expected: > 0)");
        }
        this.stallNanos = stallAfter.toNanos();
        this.checkEvery = stallAfter.dividedBy(2).isZero() ? stallAfter : stallAfter.dividedBy(2);
        this.lanes = new Lane[count];
        for (int i = 0; i < count; i++) {
            lanes[i] = new Lane(name + "-lane-" + i);
        }
    }

    /** Starts the lane threads and the watchdog. */
    public WriterLanes start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("Already started");
        }
        for (Lane lane : lanes) {
            lane.startThread();
        }
        watchdog = Thread.ofPlatform().daemon(true).name(name + "-lane-watchdog").start(this::watch);
        return this;
    }

    /** Stops the lanes: queues scheduled from now on write through threads of their own. Idempotent. */
    public void stop() {
        stopped = true;
        Thread w = watchdog;
        if (w != null) {
            w.interrupt();
        }
        for (Lane lane : lanes) {
            // A lane scheduled just before this finishes its queues, then sees the flag.
            LockSupport.unpark(lane.thread);
        }
    }

    /** Lanes whose write stalled so far (each moved its other connections to a new thread). */
    public long stalls() {
        return stalls.sum();
    }

    /** The lane of a new connection (round robin). */
    Lane assign() {
        return lanes[Math.floorMod(nextLane.getAndIncrement(), lanes.length)];
    }

    private void watch() {
        while (!stopped) {
            try {
                Thread.sleep(checkEvery);
            } catch (InterruptedException e) {
                return; // stop()
            }
            long now = System.nanoTime();
            for (Lane lane : lanes) {
                lane.checkStall(now);
            }
        }
    }

    /**
     * One writer thread and the queues waiting for it. Thread-safe: any thread schedules; the lane's current
     * thread runs them; the watchdog may replace that thread.
     */
    final class Lane {
        private final String threadName;
        private final ConcurrentLinkedQueue<OutboundQueue> ready = new ConcurrentLinkedQueue<>();
        // True while the lane's thread is parked (or about to park) with nothing to do; the scheduler that clears
        // it unparks the thread, so a burst of schedules costs one wake-up.
        private final AtomicBoolean idle = new AtomicBoolean();
        // System.nanoTime() at the start of the write in progress, 0 when none: the current thread sets it, and
        // whoever swaps it back to 0 first owns the outcome (the thread: the write ended in time; the watchdog:
        // the lane moved on to a new thread).
        private final AtomicLong writingSince = new AtomicLong();
        private volatile Thread thread;

        private Lane(String threadName) {
            this.threadName = threadName;
        }

        private void startThread() {
            // A platform thread, not a virtual one: a lane with a backlog writes without ever parking, and a few such
            // virtual threads would hold every carrier and starve the connections' readers and the router's handlers
            // (publishes timed out that way under load); the OS shares the cores fairly between platform threads.
            Thread t = Thread.ofPlatform().daemon(true).name(threadName).unstarted(this::run);
            thread = t;
            t.start();
        }

        /** Queues {@code queue} for writing; false when the lanes are stopped (the caller writes it itself). */
        boolean schedule(OutboundQueue queue) {
            if (stopped) {
                return false;
            }
            ready.offer(queue);
            if (idle.get() && idle.compareAndSet(true, false)) {
                LockSupport.unpark(thread);
            }
            return true;
        }

        /** The lane's thread puts {@code queue} back at the end of the lane (it has more to write). */
        void requeue(OutboundQueue queue) {
            ready.offer(queue);
        }

        /** The lane's thread is about to write; pair with {@link #endWrite}. */
        long beginWrite() {
            long now = System.nanoTime();
            long since = now == 0 ? 1 : now;
            writingSince.set(since);
            return since;
        }

        /**
         * The write begun at {@code since} returned. False when the watchdog gave the lane to a new thread meanwhile:
         * the calling thread then no longer belongs to the lane.
         */
        boolean endWrite(long since) {
            return writingSince.compareAndSet(since, 0);
        }

        private void checkStall(long now) {
            long since = writingSince.get();
            if (since == 0 || now - since < stallNanos || !writingSince.compareAndSet(since, 0)) {
                return;
            }
            stalls.increment();
            LOG.log(Level.FINE, () -> threadName + ": a write blocked for more than " + stallNanos / 1_000_000
                    + " ms; the lane's other connections move to a new thread");
            startThread();
        }

        private void run() {
            Thread me = Thread.currentThread();
            while (thread == me) {
                OutboundQueue queue = ready.poll();
                if (queue != null) {
                    if (!queue.drainOnLane(this)) {
                        return; // the lane moved on while this thread was stuck in a write to that queue
                    }
                    continue;
                }
                if (stopped) {
                    return;
                }
                idle.set(true);
                if (ready.isEmpty() && !stopped) {
                    LockSupport.park(this);
                }
                idle.set(false);
            }
        }
    }
}
