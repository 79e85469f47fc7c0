package io.switchboard.testkit;

import io.switchboard.proto.client.v1.ServerFrame;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The server frames a test client received and the test has not read yet, in arrival order, with the ways tests
 * wait for them: the next one, the next one matching a condition, the answer to a Subscribe. A wait that runs out
 * fails with an {@link AssertionError} saying how the connection stands. Thread-safe: the client's receiving thread
 * adds, the test reads.
 */
public final class FrameQueue {
    private final BlockingQueue<ServerFrame> frames = new LinkedBlockingQueue<>();
    private final Supplier<String> state;

    /**
     * @param state appended to the message of a wait that runs out, e.g. {@code "; connection closed: ..."} once the
     *              connection closed, else empty
     */
    public FrameQueue(Supplier<String> state) {
        this.state = Objects.requireNonNull(state, "state");
    }

    /** Queues a received frame. */
    public void add(ServerFrame frame) {
        frames.add(frame);
    }

    /** The next frame; fails if none arrives within {@code timeout}. */
    public ServerFrame next(Duration timeout) {
        try {
            ServerFrame frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                throw new AssertionError("no frame within " + timeout + state.get());
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next frame matching {@code predicate}, discarding others; fails if none arrives within {@code timeout}. */
    public ServerFrame nextMatching(Predicate<ServerFrame> predicate, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching frame within " + timeout);
            }
            ServerFrame frame = next(Duration.ofNanos(left));
            if (predicate.test(frame)) {
                return frame;
            }
        }
    }

    /**
     * The Subscribed answering Subscribe {@code requestId} for {@code room}, discarding other frames; fails on the
     * request's Error instead, or if neither arrives within {@code timeout}.
     */
    public ServerFrame subscribed(String room, int requestId, Duration timeout) {
        ServerFrame reply = nextMatching(f -> (f.hasSubscribed() && f.getSubscribed().getRequestId() == requestId)
                || (f.hasError() && f.getError().getRequestId() == requestId), timeout);
        if (!reply.hasSubscribed()) {
            throw new IllegalStateException("subscribe " + room + " failed: " + reply);
        }
        return reply;
    }

    /** The frame queued next, or null if none is queued now (does not wait). */
    public ServerFrame poll() {
        return frames.poll();
    }

    /** Hands every queued frame to {@code consumer}, in order, and leaves the queue empty. */
    public void drainTo(Consumer<ServerFrame> consumer) {
        ServerFrame queued;
        while ((queued = frames.poll()) != null) {
            consumer.accept(queued);
        }
    }
}
