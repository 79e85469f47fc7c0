package io.switchboard.gateway.session;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.switchboard.gateway.ws.OutboundFrame;

/**
 * The hand-over of one resuming subscription from history to the live stream. While the missed messages are
 * replayed (REPLAYING), live messages of the room are held in order, bounded in bytes; the replay writes
 * Subscribed, then the missed messages page by page ({@link #write}), and {@link #goLive} then writes what was held
 * and turns LIVE, under one lock so a live message cannot slip in between. A position at or below the last one
 * written is never written again (dedup at the seam).
 *
 * <p>A replay may take long (a deep gap streams at the client's pace), so the held live messages must not grow
 * with it: when the next one would pass the byte bound, every held message is dropped instead and the replay is
 * told to re-read them from history ({@link #goLive} answers with the range to read first). Memory stays bounded
 * and nothing is lost; the client only sees the room's messages in order, each once.
 *
 * <p>Thread-safe: {@link #offer} runs on the fan-out thread, the rest on a reader or gRPC thread; all state is
 * guarded by {@code lock}, which is held only while enqueueing (never across I/O).
 */
final class Replay {
    /** What {@link #offer} did with a live message. */
    enum Offer {
        /** Held (or dropped: a duplicate, or to be re-read from history): the caller does nothing more. */
        HANDLED,
        /** The replay is over: the caller writes the message itself. */
        LIVE
    }

    /** A frame with the position it carries. */
    record Positioned(long position, OutboundFrame frame) {
    }

    /** What {@link #goLive} asks of the replay: read {@code (after, until)} from history, then call again. */
    record Reread(long after, long until) {
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
    // @GuardedBy("lock"): live messages below this position were dropped and must be re-read from history (0: none)
    private long rereadUntil;

    /**
     * @param resumePosition the last position the client saw: nothing at or below it is written
     * @param maxBufferBytes bound of the live messages held while replaying
     */
    Replay(long resumePosition, long maxBufferBytes) {
        this.lastSent = resumePosition;
        this.maxBufferBytes = maxBufferBytes;
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
                        // History holds them: drop what is held and this one, and read them back later.
                        buffer.clear();
                        bufferedBytes = 0;
                        rereadUntil = Math.max(rereadUntil, position + 1);
                        return Offer.HANDLED;
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
     * Writes {@code frames} (Subscribed, or replayed messages: positions at or below the last one written are
     * skipped) to {@code out} while replaying.
     *
     * @return false (and writes nothing) when the replay was cancelled
     */
    boolean write(List<Positioned> frames, Consumer<OutboundFrame> out) {
        lock.lock();
        try {
            if (state != State.REPLAYING) {
                return false;
            }
            for (Positioned p : frames) {
                if (p.position() > lastSent) {
                    out.accept(p.frame());
                    lastSent = p.position();
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Writes a frame that carries no position (Subscribed) while replaying; false when cancelled. */
    boolean announce(OutboundFrame frame, Consumer<OutboundFrame> out) {
        lock.lock();
        try {
            if (state != State.REPLAYING) {
                return false;
            }
            out.accept(frame);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends the replay once history is written: when live messages had to be dropped, answers the range to re-read
     * from history first (call again after writing it); else writes the held live messages and turns LIVE.
     *
     * @return the range to re-read, or null when LIVE (or cancelled: see {@link #cancelled})
     */
    Reread goLive(Consumer<OutboundFrame> out) {
        lock.lock();
        try {
            if (state != State.REPLAYING) {
                return null;
            }
            if (rereadUntil > lastSent + 1) {
                return new Reread(lastSent, rereadUntil);
            }
            for (Positioned p : buffer) {
                if (p.position() > lastSent) {
                    out.accept(p.frame());
                    lastSent = p.position();
                }
            }
            buffer.clear();
            bufferedBytes = 0;
            state = State.LIVE;
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** True once the replay was cancelled. */
    boolean cancelled() {
        lock.lock();
        try {
            return state == State.CANCELLED;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the replay and drops the buffer; returns true when it was still replaying. */
    boolean cancel() {
        lock.lock();
        try {
            boolean was = state == State.REPLAYING;
            state = State.CANCELLED;
            buffer.clear();
            bufferedBytes = 0;
            return was;
        } finally {
            lock.unlock();
        }
    }
}
