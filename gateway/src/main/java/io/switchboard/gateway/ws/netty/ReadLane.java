package io.switchboard.gateway.ws.netty;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.netty.channel.Channel;

/**
 * Runs one connection's inbound work (decoded messages, pings, the closes the transport decides) in arrival order,
 * one task at a time, each on a virtual thread of its own: never on the event loop, because handling a frame may
 * block (token verification can fetch keys, the request lane may wait for budget). While a task runs the channel
 * does not read (autoRead off), so the client's socket buffer is the backpressure, and between tasks an idle
 * connection holds no thread at all. Tasks decoded from the read already under way when reading stopped (one
 * socket read can hold several frames) wait here: at most one read's worth.
 *
 * <p>Confined to the channel's event loop ({@link #submit} and the hand-back after each task); the tasks themselves
 * run on their virtual threads.
 */
final class ReadLane {
    private static final Logger LOG = Logger.getLogger(ReadLane.class.getName());

    private final Channel channel;
    private final ThreadFactory threads;
    // Made on the first task that has to wait: most connections never need it.
    private ArrayDeque<Runnable> waiting;
    private boolean running;

    ReadLane(Channel channel, ThreadFactory threads) {
        this.channel = channel;
        this.threads = threads;
    }

    /** Runs {@code task} after the tasks submitted before it. Event loop only. */
    void submit(Runnable task) {
        if (running) {
            if (waiting == null) {
                waiting = new ArrayDeque<>(4);
            }
            waiting.add(task);
            return;
        }
        start(task);
    }

    private void start(Runnable task) {
        running = true;
        channel.config().setAutoRead(false);
        threads.newThread(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Inbound task failed on " + channel, e);
            } finally {
                handBack();
            }
        }).start();
    }

    private void handBack() {
        try {
            channel.eventLoop().execute(this::next);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down: the channel is being closed with it, nothing more to read.
            LOG.log(Level.FINE, "Event loop gone after a task on " + channel, e);
        }
    }

    private void next() {
        Runnable task = waiting == null ? null : waiting.poll();
        if (task != null) {
            start(task);
            return;
        }
        running = false;
        channel.config().setAutoRead(true);
    }
}
