package io.switchboard.gateway.session;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.switchboard.gateway.ws.OutboundFrame;

/**
 * The hand-over of one resuming subscription from history to the live stream. While the missed messages are read
 * (REPLAYING), live messages of the room are buffered in order, bounded in bytes; {@link #finish} then writes the
 * Subscribed reply, the replayed messages and the buffer, and turns LIVE, all under one lock so a live message
 * cannot slip in between. A position at or below the last one written is never written again (dedup at the seam).
 *
 * <p>Thread-safe: {@link #offer} runs on the fan-out thread, {@link #finish} and {@link #cancel} on a reader or
 * gRPC thread; all state is guarded by {@code lock}, which is held only while enqueueing (never across I/O).
 */
final class Replay {
    /** What {@link #offer} did with a live message. */
    enum Offer {
        /** Buffered (or dropped as a duplicate): the caller does nothing more. */
        HANDLED,
        /** The buffer would pass its byte bound: the replay is cancelled, the caller closes the connection. */
        OVERFLOW,
        /** The replay is over: the caller writes the message itself. */
        LIVE
    }

    /** A frame with the position it carries. */
    record Positioned(long position, OutboundFrame frame) {
    }

    private enum State { REPLAYING, LIVE, CANCELLED }

    private final long maxBufferBytes;
    private final ReentrantLock lock = new ReentrantLock();
    // @GuardedBy("lock")
    private final ArrayDeque<Positioned> buffer = new ArrayDeque<>();
    // @GuardedBy("lock")
    private long bufferedBytes;
    // @GuardedBy("lock")
    private State state = State.REPLAYING;
    // @GuardedBy("lock"): the highest position written (starts at the client's resume position)
    private long lastSent;

    /**
     * @param resumePosition the last position the client saw: nothing at or below it is written
     * @param maxBufferBytes bound of the live messages buffered while replaying
     */
    Replay(long resumePosition, long maxBufferBytes) {
        this.lastSent = resumePosition;
        this.maxBufferBytes = maxBufferBytes;
    }

    /** The byte bound of the live messages buffered while replaying. */
    long maxBufferBytes() {
        return maxBufferBytes;
    }

    /** A live message of the room. Fan-out thread. */
    Offer offer(long position, OutboundFrame frame) {
        lock.lock();
        try {
            switch (state) {
                case CANCELLED -> {
                    return Offer.HANDLED;
                }
                case LIVE -> {
                    if (position <= lastSent) {
                        return Offer.HANDLED;
                    }
                    lastSent = position;
                    return Offer.LIVE;
                }
                default -> {
                    if (bufferedBytes + frame.size() > maxBufferBytes) {
                        cancelLocked();
                        return Offer.OVERFLOW;
                    }
                    buffer.addLast(new Positioned(position, frame));
                    bufferedBytes += frame.size();
                    return Offer.HANDLED;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes {@code subscribed}, then {@code replayed}, then the buffered live messages to {@code out}, skipping
     * positions already written, and turns LIVE.
     *
     * @return false (and writes nothing) when the replay was cancelled meanwhile
     */
    boolean finish(OutboundFrame subscribed, List<Positioned> replayed, Consumer<OutboundFrame> out) {
        lock.lock();
        try {
            if (state != State.REPLAYING) {
                return false;
            }
            out.accept(subscribed);
            for (Positioned p : replayed) {
                write(p, out);
            }
            for (Positioned p : buffer) {
                write(p, out);
            }
            buffer.clear();
            bufferedBytes = 0;
            state = State.LIVE;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the replay and drops the buffer; returns true when it was still replaying. */
    boolean cancel() {
        lock.lock();
        try {
            boolean was = state == State.REPLAYING;
            cancelLocked();
            return was;
        } finally {
            lock.unlock();
        }
    }

    // @GuardedBy("lock")
    private void write(Positioned p, Consumer<OutboundFrame> out) {
        if (p.position() > lastSent) {
            out.accept(p.frame());
            lastSent = p.position();
        }
    }

    // @GuardedBy("lock")
    private void cancelLocked() {
        state = State.CANCELLED;
        buffer.clear();
        bufferedBytes = 0;
    }
}
