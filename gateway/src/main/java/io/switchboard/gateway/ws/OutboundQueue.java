package io.switchboard.gateway.ws;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one write path of a connection: a FIFO of outbound frames bounded in bytes, drained by a single writer into
 * a {@link FrameSink}. Producers (the connection's reader, router callbacks, the fan-out thread) only take a short
 * lock to append, never block on I/O and never wait for space: when a frame would push the queue past its byte
 * bound, {@link #offer} drops the whole queue, refuses further frames and reports {@link Offer#OVERFLOW}, and the
 * owner closes the connection (SLOW_CONSUMER) with {@link #close}. A close frame is always the last frame written;
 * {@link #terminate} stops the writer without writing anything more.
 *
 * <p>The writer exists only while there is something to write: the offer that finds the queue idle starts a virtual
 * thread of its own that ends once the queue is empty, or, for a queue given {@link WriterLanes writer lanes},
 * schedules the queue on its lane (a long-lived thread that writes many connections in turn); either way an idle
 * connection holds no thread. A sink whose writes never block names an executor of its own
 * ({@link FrameSink#writerExecutor()}, a Netty channel's event loop): the writer then runs there, and stops while the
 * sink is not {@link FrameSink#writable() writable}, leaving the frames queued until the sink resumes it. The writer
 * takes every frame queued so far (up to {@value #MAX_BATCH_FRAMES} frames or {@value #MAX_BATCH_BYTES} bytes) and
 * hands them to the sink in one call, which writes them in one socket write; frames queued while it writes wait for
 * its next round without waking anything. A queue whose write once stalled its lane writes through threads of its
 * own from then on.
 *
 * <p>A producer that can wait (a resume streaming history) asks {@link #whenQueuedAtMost} before it offers more,
 * so it never reads ahead of a slow client.
 *
 * <p>Thread-safe. All mutable state is guarded by {@code lock}; the sink is called outside the lock.
 *
 * <p>Size: the frames, their byte count, the overflow and close decisions and the writer's rounds are one state
 * machine under that one lock; split into classes, each part would reach into the others' state under it.
 */
public final class OutboundQueue {
    /** Result of {@link #offer}. */
    public enum Offer {
        /** Queued for writing. */
        ACCEPTED,
        /** Would exceed the byte bound: the queue was dropped and refuses further frames. */
        OVERFLOW,
        /** The queue is closing or terminated; the frame was discarded. */
        CLOSED
    }

    /** Callbacks of the queue, called on the thread that caused the event; must not block. */
    public interface Listener {
        /** The queued byte count changed by {@code delta}. */
        default void queuedBytesChanged(long delta) {
        }

        /** {@code frame} was written. */
        default void sent(OutboundFrame frame) {
        }

        /** The sink failed; the queue is terminated. */
        default void writeFailed(RuntimeException failure) {
        }
    }

    /** Most frames one write takes. */
    static final int MAX_BATCH_FRAMES = 64;
    /** Most payload bytes one write takes (a larger single frame still goes alone). */
    static final int MAX_BATCH_BYTES = 64 * 1024;

    private static final Logger LOG = Logger.getLogger(OutboundQueue.class.getName());
    // What writerNeededLocked returns for "schedule on the lane": never started, compared by identity only.
    private static final Thread ON_LANE = Thread.ofVirtual().unstarted(() -> { });
    // What writerNeededLocked returns for "run on the sink's executor": never started, compared by identity only.
    private static final Thread ON_EXECUTOR = Thread.ofVirtual().unstarted(() -> { });

    private final long maxBytes;
    private final FrameSink sink;
    private final Listener listener;
    // null: every writer is a thread of this queue's own
    private final WriterLanes.Lane lane;
    // null: the writer is a thread (of its own or a lane's); else the sink's executor, where writes never block
    private final Executor executor;
    // The writer thread's name and task, built once: a writer starts for nearly every delivery at a few messages per
    // second per connection, so per-start string and lambda allocations add up on the fan-out thread.
    private final String writerName;
    private final Runnable drainTask = () -> drain(null);
    private final Runnable resumeTask = this::resume;
    // Only the running writer touches it (one at a time; the next starts after the last released the lock); made by
    // the first writer, so a connection that never receives anything does not hold one.
    private List<OutboundFrame> batch;
    private final ReentrantLock lock = new ReentrantLock();
    // @GuardedBy("lock")
    private final ArrayDeque<OutboundFrame> frames = new ArrayDeque<>(4);
    // @GuardedBy("lock")
    private long queuedBytes;
    // @GuardedBy("lock"): set once by overflow; no more frames are accepted
    private boolean overflowed;
    // @GuardedBy("lock"): set once by close(); written after the frames queued before it
    private int closeCode;
    // @GuardedBy("lock")
    private String closeReason;
    // @GuardedBy("lock"): set once; the writer exits without writing anything more
    private boolean terminated;
    // @GuardedBy("lock"): start() was called; before it frames queue up without a writer
    private boolean started;
    // @GuardedBy("lock"): a writer is scheduled on the lane or running (on the lane or as a thread of its own)
    private boolean writing;
    // @GuardedBy("lock"): the writer on the sink's executor stopped because the sink was not writable; it waits for
    // the sink's resume, not for the next frame
    private boolean parked;
    // @GuardedBy("lock"): the queue's own writer thread while it has one (interrupted by terminate(true)); never a lane
    private Thread ownWriter;
    // @GuardedBy("lock"): set once when a write stalled the lane; from then on the queue writes on its own threads
    private boolean leftLane;
    // @GuardedBy("lock"): producers waiting for the queue to drain (rare: resumes streaming history); null when none
    private List<RoomWaiter> roomWaiters;

    private record RoomWaiter(long atMost, CompletableFuture<Void> room) {
    }

    /**
     * @param name     names the writer thread, e.g. the session id
     * @param maxBytes the byte bound of queued (not yet written) frames
     */
    public OutboundQueue(String name, long maxBytes, FrameSink sink, Listener listener) {
        this(name, maxBytes, sink, listener, null);
    }

    /**
     * @param name     names the writer thread, e.g. the session id
     * @param maxBytes the byte bound of queued (not yet written) frames
     * @param lanes    the lanes this queue's writes are scheduled on; null for a writer thread of its own each time
     */
    public OutboundQueue(String name, long maxBytes, FrameSink sink, Listener listener, WriterLanes lanes) {
        this.writerName = "ws-writer-" + name;
        this.maxBytes = maxBytes;
        this.sink = sink;
        this.listener = listener;
        this.executor = sink.writerExecutor();
        this.lane = lanes == null || executor != null ? null : lanes.assign();
    }

    /** Lets the writer run; frames offered before are written now. */
    public void start() {
        Thread w;
        lock.lock();
        try {
            started = true;
            w = writerNeededLocked();
        } finally {
            lock.unlock();
        }
        startWriter(w);
    }

    /** Appends {@code frame}; never blocks on I/O. */
    public Offer offer(OutboundFrame frame) {
        Thread w;
        List<CompletableFuture<Void>> ready;
        lock.lock();
        try {
            if (terminated || overflowed || closeReason != null) {
                return Offer.CLOSED;
            }
            if (queuedBytes + frame.size() > maxBytes) {
                overflowed = true;
                dropAllLocked();
                ready = roomCameLocked();
                w = null;
            } else {
                ready = null;
                frames.addLast(frame);
                queuedBytes += frame.size();
                w = writerNeededLocked();
            }
        } finally {
            lock.unlock();
        }
        if (ready != null) {
            roomCame(ready);
            return Offer.OVERFLOW;
        }
        listener.queuedBytesChanged(frame.size());
        startWriter(w);
        return Offer.ACCEPTED;
    }

    /**
     * Requests a close frame after the frames already queued, or instead of them when {@code dropPending}.
     * Only the first request counts.
     *
     * @return true when this call requested the close
     */
    public boolean close(int code, String reason, boolean dropPending) {
        Thread w;
        List<CompletableFuture<Void>> ready;
        lock.lock();
        try {
            if (terminated || closeReason != null) {
                return false;
            }
            if (dropPending) {
                dropAllLocked();
            }
            closeCode = code;
            closeReason = reason;
            w = writerNeededLocked();
            ready = roomCameLocked();
        } finally {
            lock.unlock();
        }
        roomCame(ready);
        startWriter(w);
        return true;
    }

    /**
     * Stops the writer and discards every queued frame. Idempotent.
     *
     * @param interruptWrite also interrupt a write in progress on the queue's own writer thread (for a virtual
     *                       thread blocked on a socket this closes the socket; a lane's write is not interrupted:
     *                       abort the transport for that); without it the writer finishes its current write and
     *                       exits
     */
    public void terminate(boolean interruptWrite) {
        Thread w;
        List<CompletableFuture<Void>> ready;
        lock.lock();
        try {
            if (!terminated) {
                terminated = true;
                dropAllLocked();
            }
            // A lane's thread is shared: it is never interrupted (the owner aborts the transport instead).
            w = ownWriter;
            ready = roomCameLocked();
        } finally {
            lock.unlock();
        }
        roomCame(ready);
        if (interruptWrite && w != null && Thread.currentThread() != w) {
            w.interrupt();
        }
    }

    /**
     * Completes once at most {@code bytes} are queued (at once if so now), or once the queue ends (closed,
     * overflowed or terminated: the waiter's next offer finds out). Completes on the writer's thread: continue
     * elsewhere with an async stage.
     */
    public CompletableFuture<Void> whenQueuedAtMost(long bytes) {
        lock.lock();
        try {
            if (queuedBytes <= bytes || terminated || overflowed || closeReason != null) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> room = new CompletableFuture<>();
            if (roomWaiters == null) {
                roomWaiters = new ArrayList<>(2);
            }
            roomWaiters.add(new RoomWaiter(bytes, room));
            return room;
        } finally {
            lock.unlock();
        }
    }

    // @GuardedBy("lock"): the waiters whose room has come (all of them once the queue ended), removed
    private List<CompletableFuture<Void>> roomCameLocked() {
        if (roomWaiters == null) {
            return List.of();
        }
        boolean ended = terminated || overflowed || closeReason != null;
        List<CompletableFuture<Void>> ready = new ArrayList<>(roomWaiters.size());
        roomWaiters.removeIf(w -> {
            if (ended || queuedBytes <= w.atMost()) {
                ready.add(w.room());
                return true;
            }
            return false;
        });
        if (roomWaiters.isEmpty()) {
            roomWaiters = null;
        }
        return ready;
    }

    /** Outside the lock: completes what {@link #roomCameLocked} returned. */
    private static void roomCame(List<CompletableFuture<Void>> ready) {
        for (CompletableFuture<Void> room : ready) {
            room.complete(null);
        }
    }

    /** False once the queue accepts no more frames (closing, overflowed or terminated). */
    public boolean accepting() {
        lock.lock();
        try {
            return !(terminated || overflowed || closeReason != null);
        } finally {
            lock.unlock();
        }
    }

    /** Bytes queued and not yet handed to the sink. */
    public long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /*
     * @GuardedBy("lock"): when there is work and no writer, marks the queue as being written and returns how:
     * ON_LANE (schedule it on the lane) or a new, unstarted thread of its own; else null.
     */
    private Thread writerNeededLocked() {
        if (!started || writing || parked || terminated || (frames.isEmpty() && closeReason == null)) {
            return null;
        }
        writing = true;
        if (executor != null) {
            return ON_EXECUTOR;
        }
        if (lane != null && !leftLane) {
            return ON_LANE;
        }
        ownWriter = Thread.ofVirtual().name(writerName).unstarted(drainTask);
        return ownWriter;
    }

    /** Outside the lock: starts what {@link #writerNeededLocked} asked for. */
    private void startWriter(Thread w) {
        if (w == null) {
            return;
        }
        if (w == ON_EXECUTOR) {
            try {
                executor.execute(drainTask);
            } catch (RejectedExecutionException e) {
                // The executor is shut down (the transport is going away): a thread of its own finds that out.
                Thread.ofVirtual().name(writerName).start(drainTask);
            }
        } else if (w != ON_LANE) {
            w.start();
        } else if (!lane.schedule(this)) {
            // The lanes are stopped (the gateway is shutting down): write on a thread of its own.
            Thread own;
            lock.lock();
            try {
                own = ownWriter = Thread.ofVirtual().name(writerName).unstarted(drainTask);
            } finally {
                lock.unlock();
            }
            own.start();
        }
    }

    // @GuardedBy("lock")
    private void dropAllLocked() {
        long dropped = queuedBytes;
        frames.clear();
        queuedBytes = 0;
        if (dropped != 0) {
            listener.queuedBytesChanged(-dropped);
        }
    }

    /**
     * Lane thread: writes what is queued. True when the queue is empty (or finished); false when the lane moved on
     * to a new thread while this one was stuck in a write here: this thread has then written the rest of the queue as
     * its own writer, and the queue keeps its own writers from now on.
     */
    boolean drainOnLane(WriterLanes.Lane on) {
        return drain(on);
    }

    private boolean drain(WriterLanes.Lane on) {
        if (batch == null) {
            batch = new ArrayList<>(8);
        }
        boolean stayedOnLane = true;
        boolean wrote = false;
        while (true) {
            int code;
            String reason;
            List<CompletableFuture<Void>> ready;
            long batchBytes = 0;
            batch.clear();
            lock.lock();
            try {
                if (terminated || (frames.isEmpty() && closeReason == null)) {
                    writing = false;
                    ownWriter = null;
                    return stayedOnLane;
                }
                if (executor != null && !frames.isEmpty() && !sink.writable()) {
                    // On the sink's executor a write never waits: stop here, the frames stay queued (and counted
                    // against the bound) until the sink says it can take more.
                    writing = false;
                    parked = true;
                    sink.whenWritable(resumeTask); // never runs it inline on a writable sink: see FrameSink
                    return stayedOnLane;
                }
                if (on != null && wrote) {
                    // One batch per turn on a lane: the lane's other connections go first.
                    on.requeue(this);
                    return true;
                }
                OutboundFrame next;
                while ((next = frames.peekFirst()) != null && batch.size() < MAX_BATCH_FRAMES
                        && (batch.isEmpty() || batchBytes + next.size() <= MAX_BATCH_BYTES)) {
                    frames.pollFirst();
                    batch.add(next);
                    batchBytes += next.size();
                }
                queuedBytes -= batchBytes;
                code = closeCode;
                reason = closeReason;
                ready = roomCameLocked();
            } finally {
                lock.unlock();
            }
            roomCame(ready);
            long since = on == null ? 0 : on.beginWrite();
            boolean done = false;
            try {
                done = write(batchBytes, code, reason);
            } finally {
                if (on != null && !on.endWrite(since)) {
                    leaveLane();
                    on = null;
                    stayedOnLane = false;
                }
            }
            if (done) {
                return stayedOnLane;
            }
            wrote = true;
        }
    }

    /** The sink's executor: the sink can take more; the writer that parked goes on. */
    private void resume() {
        Thread w;
        lock.lock();
        try {
            parked = false;
            w = writerNeededLocked();
        } finally {
            lock.unlock();
        }
        startWriter(w);
    }

    /** This thread becomes the queue's own writer: the lane it stalled has moved on without it. */
    private void leaveLane() {
        lock.lock();
        try {
            leftLane = true;
            ownWriter = Thread.currentThread();
        } finally {
            lock.unlock();
        }
    }

    /** Writes the batch (or the close when the batch is empty); true when this writer is finished for good. */
    private boolean write(long batchBytes, int code, String reason) {
        try {
            if (!batch.isEmpty()) {
                listener.queuedBytesChanged(-batchBytes);
                sink.send(batch);
                for (OutboundFrame f : batch) {
                    listener.sent(f);
                }
                return false;
            }
            // Nothing left but the close: it is the last frame, and this writer stays the last one.
            sink.close(code, reason);
            finish();
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Write failed on " + writerName, e);
            finish();
            listener.writeFailed(e);
            return true;
        }
    }

    // The queue is over: nothing is written again, and the writer is released.
    private void finish() {
        terminate(false);
        lock.lock();
        try {
            writing = false;
            ownWriter = null;
        } finally {
            lock.unlock();
        }
    }
}
