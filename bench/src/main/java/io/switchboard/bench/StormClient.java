package io.switchboard.bench;

import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribed;
import java.util.concurrent.CompletableFuture;

/**
 * What one resuming client of a storm saw, checked against the protocol: Subscribed (recovered, replayed ==
 * missed), then exactly {@code missed} messages in ascending position order. Its outcome is settled once: live
 * (with the time since the storm started) or the first failure. Frames arrive on the client's I/O thread, one at
 * a time; {@link #fail} may come from any thread. Thread-safe.
 */
final class StormClient {
    /** How a client ended. */
    enum Kind { LIVE, ERROR, NOT_RECOVERED, CLOSED, TIMED_OUT }

    /** The settled outcome: {@code nanos} from the storm's start to live (LIVE only). */
    record Outcome(Kind kind, long nanos, String detail) {
    }

    private final int missed;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private volatile long startNanos;
    private volatile int requestId;
    private volatile boolean recovered;
    // Confined to the I/O thread that delivers frames (one at a time per connection).
    private boolean subscribed;
    private int messages;
    private long lastPosition = -1;

    StormClient(int missed) {
        this.missed = missed;
    }

    /** The storm started at {@code nanos} ({@link System#nanoTime()}). */
    void started(long nanos) {
        startNanos = nanos;
    }

    /** The resuming Subscribe is about to be sent with this request id. */
    void subscribing(int id) {
        requestId = id;
    }

    /** A frame from the gateway. */
    void onFrame(ServerFrame frame) {
        if (frame.hasSubscribed() && frame.getSubscribed().getRequestId() == requestId) {
            Subscribed s = frame.getSubscribed();
            if (!s.getRecovered()) {
                fail(Kind.NOT_RECOVERED, "not recovered: " + s.getRecoveryFailure());
            } else {
                recovered = true;
                if (s.getReplayed() != missed) {
                    fail(Kind.ERROR, "replayed " + s.getReplayed() + " (expected: " + missed + ")");
                }
                subscribed = true;
            }
        } else if (frame.hasMessage()) {
            long position = frame.getMessage().getPosition();
            if (!subscribed) {
                fail(Kind.ERROR, "message " + position + " before Subscribed");
            } else if (position <= lastPosition) {
                fail(Kind.ERROR, "message " + position + " after " + lastPosition);
            } else {
                lastPosition = position;
                if (++messages == missed) {
                    long now = System.nanoTime();
                    outcome.complete(new Outcome(Kind.LIVE, now - startNanos, "live"));
                }
            }
        } else if (frame.hasError()) {
            fail(Kind.ERROR, "error: " + frame.getError().getCode() + " " + frame.getError().getMessage());
        }
    }

    /** Settles the outcome as failed unless it is already settled. */
    void fail(Kind kind, String detail) {
        outcome.complete(new Outcome(kind, 0, detail));
    }

    /** Whether Subscribed said recovered=true. */
    boolean recovered() {
        return recovered;
    }

    /** Completes once: live or the first failure. */
    CompletableFuture<Outcome> outcome() {
        return outcome;
    }
}
