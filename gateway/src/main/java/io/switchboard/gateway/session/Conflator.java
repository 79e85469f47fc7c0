package io.switchboard.gateway.session;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.switchboard.gateway.ws.OutboundFrame;

/**
 * Conflated delivery for one connection ({@link ConflationPolicy}): of each tracked room, at most one message per
 * interval reaches the connection's queue. A message that arrives before its room's slot is held; a newer one
 * replaces it (latest wins), and the one held when the slot comes is queued then. Messages are never changed, so each
 * keeps its position: the client's resume point is the last message it got, and a resume replays what it did not
 * get. Rooms of namespaces without a rate are not tracked and cost one map lookup per message.
 *
 * <p>Thread-safe: {@link #offer} runs on the fan-out thread, the flushes on the timer, {@link #track}, {@link #forget}
 * and {@link #clear} on the connection's request lane; each room's state is guarded by its own lock, under which the
 * frame is also queued (a non-blocking offer), so a flush and a newer message cannot overtake each other.
 */
final class Conflator {
    /** Runs a task after a delay: the gateway's timer in production, a manual one in tests. */
    @FunctionalInterface
    interface Delay {
        Future<?> after(long nanos, Runnable task);
    }

    private final ConflationPolicy policy;
    private final Delay delay;
    private final LongSupplier nanoTime;
    private final Consumer<OutboundFrame> queue;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    /**
     * @param queue where a frame goes once its slot came: the connection's outbound queue
     */
    Conflator(ConflationPolicy policy, Delay delay, LongSupplier nanoTime, Consumer<OutboundFrame> queue) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.delay = Objects.requireNonNull(delay, "delay");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    /** The connection subscribed to {@code room}: conflate it if its namespace has a rate. */
    void track(String room) {
        long interval = policy.intervalNanos(room);
        if (interval > 0) {
            slots.computeIfAbsent(room, r -> new Slot(interval));
        }
    }

    /** The connection left {@code room}: a held message is dropped. */
    void forget(String room) {
        Slot slot = slots.remove(room);
        if (slot != null) {
            slot.cancel();
        }
    }

    /** The connection is closing: every held message is dropped. */
    void clear() {
        slots.values().forEach(Slot::cancel);
        slots.clear();
    }

    /**
     * Fan-out thread: a live message of {@code room}. False when the room is not conflated (queue it as usual); true
     * when this conflator queued or holds it.
     */
    boolean offer(String room, OutboundFrame frame) {
        Slot slot = slots.get(room);
        if (slot == null) {
            return false;
        }
        slot.offer(frame);
        return true;
    }

    /** One room's slot: when the next message may go, and the one held until then. */
    private final class Slot {
        private final long intervalNanos;
        // @GuardedBy("this")
        private boolean sentAny;
        // @GuardedBy("this"): nanoTime at which the next message may go
        private long nextAt;
        // @GuardedBy("this")
        private OutboundFrame held;
        // @GuardedBy("this")
        private Future<?> flush;
        // @GuardedBy("this")
        private boolean cancelled;

        Slot(long intervalNanos) {
            this.intervalNanos = intervalNanos;
        }

        synchronized void offer(OutboundFrame frame) {
            if (cancelled) {
                return;
            }
            long now = nanoTime.getAsLong();
            if (!sentAny || now - nextAt >= 0) {
                // The slot is open: this, the latest, goes now; anything held is older.
                held = null;
                cancelFlush();
                send(frame, now);
                return;
            }
            held = frame;
            if (flush == null) {
                flush = delay.after(nextAt - now, this::flush);
            }
        }

        private synchronized void flush() {
            flush = null;
            if (cancelled || held == null) {
                return;
            }
            long now = nanoTime.getAsLong();
            if (now - nextAt < 0) {
                // A flush cancelled too late to stop it, or an early timer: wait for the slot.
                flush = delay.after(nextAt - now, this::flush);
                return;
            }
            OutboundFrame frame = held;
            held = null;
            send(frame, now);
        }

        // @GuardedBy("this")
        private void cancelFlush() {
            if (flush != null) {
                flush.cancel(false);
                flush = null;
            }
        }

        // @GuardedBy("this")
        private void send(OutboundFrame frame, long now) {
            sentAny = true;
            nextAt = now + intervalNanos;
            queue.accept(frame);
        }

        synchronized void cancel() {
            cancelled = true;
            held = null;
            cancelFlush();
        }
    }
}
