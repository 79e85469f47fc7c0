package io.switchboard.gateway.ws;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one write path of a connection: a FIFO of outbound frames bounded in bytes, drained by a single writer
 * (a virtual thread) into a {@link FrameSink}. Producers (the connection's reader, router callbacks, the fan-out
 * thread) only take a short lock to append, never block on I/O and never wait for space: when a frame would
 * push the queue past its byte bound, {@link #offer} drops the whole queue, refuses further frames and reports
 * {@link Offer#OVERFLOW}, and the owner closes the connection (SLOW_CONSUMER) with {@link #close}. A close frame
 * is always the last frame written; {@link #terminate} stops the writer without writing anything more.
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

    private static final Logger LOG = Logger.getLogger(OutboundQueue.class.getName());

    private final long maxBytes;
    private final FrameSink sink;
    private final Listener listener;
    private final Thread writer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // @GuardedBy("lock")
    private final ArrayDeque<OutboundFrame> frames = new ArrayDeque<>();
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

    /**
     * @param name     names the writer thread, e.g. the session id
     * @param maxBytes the byte bound of queued (not yet written) frames
     */
    public OutboundQueue(String name, long maxBytes, FrameSink sink, Listener listener) {
        this.maxBytes = maxBytes;
        this.sink = sink;
        this.listener = listener;
        this.writer = Thread.ofVirtual().name("ws-writer-" + name).unstarted(this::drain);
    }

    /** Starts the writer. */
    public void start() {
        writer.start();
    }

    /** Appends {@code frame}; never blocks on I/O. */
    public Offer offer(OutboundFrame frame) {
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
            changed.signal();
        } finally {
            lock.unlock();
        }
        listener.queuedBytesChanged(frame.size());
        return Offer.ACCEPTED;
    }

    /**
     * Requests a close frame after the frames already queued, or instead of them when {@code dropPending}.
     * Only the first request counts.
     *
     * @return true when this call requested the close
     */
    public boolean close(int code, String reason, boolean dropPending) {
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
            changed.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the writer and discards every queued frame. Idempotent.
     *
     * @param interruptWrite also interrupt a write in progress (for a virtual thread blocked on a socket this
     *                       closes the socket); without it the writer finishes its current frame and exits
     */
    public void terminate(boolean interruptWrite) {
        lock.lock();
        try {
            if (!terminated) {
                terminated = true;
                dropAllLocked();
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
        if (interruptWrite && writer.isAlive() && Thread.currentThread() != writer) {
            writer.interrupt();
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
        while (true) {
            OutboundFrame next;
            int code;
            String reason;
            lock.lock();
            try {
                while (frames.isEmpty() && closeReason == null && !terminated) {
                    changed.await();
                }
                if (terminated) {
                    return;
                }
                next = frames.pollFirst();
                if (next != null) {
                    queuedBytes -= next.size();
                }
                code = closeCode;
                reason = closeReason;
            } catch (InterruptedException e) {
                // terminate(true) interrupts; nothing more to write.
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            try {
                if (next != null) {
                    listener.queuedBytesChanged(-next.size());
                    sink.send(next);
                    listener.sent(next);
                } else {
                    sink.close(code, reason);
                    return;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Write failed on " + writer.getName(), e);
                terminate(false);
                listener.writeFailed(e);
                return;
            }
        }
    }
}
