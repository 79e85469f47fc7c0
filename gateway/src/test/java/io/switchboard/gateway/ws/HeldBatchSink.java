package io.switchboard.gateway.ws;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The test sinks that take every write as one batch (a single frame as a batch of one) and can hold it: a write
 * that calls {@link #hold()} counts down {@link #firstWrite} and then waits until the test opens {@link #release}
 * (open from the start unless the sink is made held). Close and abort do nothing unless a sink records them.
 */
abstract class HeldBatchSink implements FrameSink {
    final CountDownLatch firstWrite = new CountDownLatch(1);
    volatile CountDownLatch release;

    HeldBatchSink(boolean held) {
        this.release = new CountDownLatch(held ? 1 : 0);
    }

    @Override
    public final void send(OutboundFrame frame) {
        send(List.of(frame));
    }

    @Override
    public abstract void send(List<OutboundFrame> frames);

    /** Signals that a write began, then blocks until released (see {@link Release#await}). */
    final void hold() {
        firstWrite.countDown();
        Release.await(release);
    }

    @Override
    public void close(int code, String reason) {
    }

    @Override
    public void abort() {
    }
}
