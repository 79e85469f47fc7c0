package io.switchboard.gateway.ws;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
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
 * <p>The writer is a virtual thread that exists only while there is something to write: the offer that finds the
 * queue idle starts it, and it ends once the queue is empty, so an idle connection holds no thread. It takes every
 * frame queued so far (up to {@value #MAX_BATCH_FRAMES} frames or {@value #MAX_BATCH_BYTES} bytes) and hands them to
 * the sink in one call, which writes them in one socket write; frames queued while it writes wait for its next round
 * without waking anything.
 *
 * <p>Thread-safe. All mutable state is guarded by {@code lock}; the sink is called outside the lock.
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

    private final long maxBytes;
    private final FrameSink sink;
    private final Listener listener;
    // The writer thread's name and task, built once: a writer starts for nearly every delivery at a few messages per
    // second per connection, so per-start string and lambda allocations add up on the fan-out thread.
    private final String writerName;
    private final Runnable drainTask = this::drain;
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
    // @GuardedBy("lock"): the thread draining the queue, or null while none runs
    private Thread writer;

    /**
     * @param name     names the writer thread, e.g. the session id
     * @param maxBytes the byte bound of queued (not yet written) frames
     */
    public OutboundQueue(String name, long maxBytes, FrameSink sink, Listener listener) {
        this.writerName = "ws-writer-" + name;
        this.maxBytes = maxBytes;
        this.sink = sink;
        this.listener = listener;
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
        lock.lock();
        try {
            if (terminated || overflowed || closeReason != null) {
                return Offer.CLOSED;
            }
            if (queuedBytes + frame.size() > maxBytes) {
                overflowed = true;
                dropAllLocked();
                return Offer.OVERFLOW;
            }
            frames.addLast(frame);
            queuedBytes += frame.size();
            w = writerNeededLocked();
        } finally {
            lock.unlock();
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
        } finally {
            lock.unlock();
        }
        startWriter(w);
        return true;
    }

    /**
     * Stops the writer and discards every queued frame. Idempotent.
     *
     * @param interruptWrite also interrupt a write in progress (for a virtual thread blocked on a socket this
     *                       closes the socket); without it the writer finishes its current write and exits
     */
    public void terminate(boolean interruptWrite) {
        Thread w;
        lock.lock();
        try {
            if (!terminated) {
                terminated = true;
                dropAllLocked();
            }
            w = writer;
        } finally {
            lock.unlock();
        }
        if (interruptWrite && w != null && Thread.currentThread() != w) {
            w.interrupt();
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

    // @GuardedBy("lock"): a new (unstarted) writer when there is work and none runs, else null.
    private Thread writerNeededLocked() {
        if (!started || writer != null || terminated || (frames.isEmpty() && closeReason == null)) {
            return null;
        }
        writer = Thread.ofVirtual().name(writerName).unstarted(drainTask);
        return writer;
    }

    private static void startWriter(Thread w) {
        if (w != null) {
            w.start();
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

    private void drain() {
        if (batch == null) {
            batch = new ArrayList<>(8);
        }
        while (true) {
            int code;
            String reason;
            long batchBytes = 0;
            batch.clear();
            lock.lock();
            try {
                if (terminated || (frames.isEmpty() && closeReason == null)) {
                    writer = null;
                    return;
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
            } finally {
                lock.unlock();
            }
            try {
                if (!batch.isEmpty()) {
                    listener.queuedBytesChanged(-batchBytes);
                    sink.send(batch);
                    for (OutboundFrame f : batch) {
                        listener.sent(f);
                    }
                } else {
                    // Nothing left but the close: it is the last frame, and this writer stays the last one.
                    sink.close(code, reason);
                    terminate(false);
                    return;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Write failed on " + writerName, e);
                terminate(false);
                listener.writeFailed(e);
                return;
            }
        }
    }
}
