package io.switchboard.gateway.sse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

import io.switchboard.gateway.ws.FrameSink;
import io.switchboard.gateway.ws.OutboundFrame;

/**
 * {@link FrameSink} over the response body of one event stream: the session's one writer puts every frame it takes
 * in one write as consecutive events, then flushes, so nothing waits in a buffer. The close is the {@code close}
 * event, after which the stream ends; {@link #abort()} ends it without one (the stream's request thread then drops the
 * TCP connection, which also fails a write blocked on a client that does not read).
 *
 * <p>Threads: the stream's request thread writes the {@code open} event once the stream is registered (unless the
 * session's writer wrote first: the opening event always goes first, under a lock no one else contends), then waits
 * in {@link #awaitEnd()}; otherwise only the session's writer writes (one at a time, by the queue's contract);
 * {@link #abort()} from any thread. The end is a completable future, so the request thread sees every write before
 * it finishes the response.
 */
final class SseFrameSink implements FrameSink {
    /** How a stream ended. */
    enum End {
        /** The close event was written: the response ends normally. */
        CLOSED,
        /** Torn down (a failed write, a client that went away, the close timeout): the connection is dropped. */
        ABORTED
    }

    private final OutputStream body;
    private final CompletableFuture<End> end = new CompletableFuture<>();
    // Whoever writes first (the request thread's writeOpening, or the session's writer) writes the opening event
    // first, so that it is always the stream's first event whatever the order.
    private final ReentrantLock writing = new ReentrantLock();
    // @GuardedBy("writing"): null once written
    private byte[] opening;

    /** @param opening the stream's first event (the {@code open} event) */
    SseFrameSink(OutputStream body, byte[] opening) {
        this.body = body;
        this.opening = opening;
    }

    /** Writes the opening event now unless a frame's write already did. */
    void writeOpening() {
        write(new byte[0]);
    }

    @Override
    public void send(OutboundFrame frame) {
        send(List.of(frame));
    }

    @Override
    public void send(List<OutboundFrame> frames) {
        int length = 0;
        for (OutboundFrame f : frames) {
            length += SseEvents.length(f);
        }
        ByteArrayOutputStream events = new ByteArrayOutputStream(length);
        for (OutboundFrame f : frames) {
            SseEvents.append(f, events);
        }
        write(events.toByteArray());
    }

    @Override
    public void close(int code, String reason) {
        try {
            write(SseEvents.close(code, reason));
        } catch (RuntimeException e) {
            end.complete(End.ABORTED);
            throw e;
        }
        end.complete(End.CLOSED);
    }

    @Override
    public void abort() {
        end.complete(End.ABORTED);
    }

    /** Blocks until the stream has ended, by its close event or an abort. */
    End awaitEnd() throws InterruptedException {
        try {
            return end.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the end is never completed exceptionally", e);
        }
    }

    private void write(byte[] bytes) {
        if (end.isDone()) {
            throw new IllegalStateException("stream already ended");
        }
        writing.lock();
        try {
            if (opening != null) {
                body.write(opening);
                opening = null;
            }
            body.write(bytes);
            body.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("event stream write failed", e);
        } finally {
            writing.unlock();
        }
    }
}
