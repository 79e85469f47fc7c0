package io.switchboard.gateway.session;

import java.util.HashMap;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.switchboard.gateway.observe.ConflationCounters;
import io.switchboard.gateway.ws.OutboundFrame;
import io.switchboard.proto.Names;

/**
 * Conflated delivery for one connection ({@link ConflationPolicy}): of each tracked room, at most one message per
 * interval and conflation key reaches the connection's queue; messages without a key share the room's own slot. A
 * message that arrives before its slot is held; a newer one of the same slot replaces it (latest wins), and the
 * one held when the slot comes is queued then. Messages are never changed, so each keeps its position: the
 * client's resume point is the last message it got, and a resume replays what it did not get. Rooms of namespaces
 * without a rate are not tracked and cost one map lookup per message.
 *
 * <p>Each room keeps at most {@link ConflationPolicy#maxKeysPerRoom()} key slots. A new key beyond them first
 * evicts the slots that hold nothing and whose interval has passed (forgetting them changes nothing: their next
 * message may go at once anyway); if none is idle, the message goes to the room's own slot, as a message without a
 * key would, and is counted as an overflow.
 *
 * <p>Thread-safe: {@link #offer} runs on the fan-out thread, the flushes on the timer, {@link #track}, {@link #forget}
 * and {@link #clear} on the connection's request lane. A room's key slots are guarded by the room's lock, each
 * slot's state by its own lock (taken inside the room's, never the other way), under which the frame is also
 * queued (a non-blocking offer), so a flush and a newer message cannot overtake each other.
 */
final class Conflator {
    /** Runs a task after a delay: the gateway's timer in production, a manual one in tests. */
    @FunctionalInterface
    interface Delay {
        Future<?> after(long nanos, Runnable task);
    }

    /** The counters of a namespace's conflated deliveries. */
    @FunctionalInterface
    interface Counters {
        ConflationCounters of(String namespace);
    }

    private final ConflationPolicy policy;
    private final Delay delay;
    private final LongSupplier nanoTime;
    private final Consumer<OutboundFrame> queue;
    private final Counters counters;
    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();

    /**
     * @param queue    where a frame goes once its slot came: the connection's outbound queue
     * @param counters the metrics of a namespace (looked up once per tracked room)
     */
    Conflator(ConflationPolicy policy, Delay delay, LongSupplier nanoTime, Consumer<OutboundFrame> queue,
              Counters counters) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.delay = Objects.requireNonNull(delay, "delay");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.counters = Objects.requireNonNull(counters, "counters");
    }

    /** The connection subscribed to {@code room}: conflate it if its namespace has a rate. */
    void track(String room) {
        long interval = policy.intervalNanos(room);
        if (interval > 0) {
            rooms.computeIfAbsent(room, r -> new Room(interval, counters.of(Names.namespace(r))));
        }
    }

    /** The connection left {@code room}: held messages are dropped. */
    void forget(String room) {
        Room state = rooms.remove(room);
        if (state != null) {
            state.cancel();
        }
    }

    /** The connection is closing: every held message is dropped. */
    void clear() {
        rooms.values().forEach(Room::cancel);
        rooms.clear();
    }

    /**
     * Fan-out thread: a live message of {@code room} with conflation key {@code key} (empty: none). False when the
     * room is not conflated (queue it as usual); true when this conflator queued or holds it.
     */
    boolean offer(String room, String key, OutboundFrame frame) {
        Room state = rooms.get(room);
        if (state == null) {
            return false;
        }
        state.offer(key, frame);
        return true;
    }

    /** One room's slots: its own (messages without a key, and keys beyond the bound) and one per key. */
    private final class Room {
        private final long intervalNanos;
        private final ConflationCounters counters;
        private final Slot shared;
        // @GuardedBy("this")
        private final HashMap<String, Slot> keyed = new HashMap<>();
        // @GuardedBy("this")
        private boolean cancelled;

        Room(long intervalNanos, ConflationCounters counters) {
            this.intervalNanos = intervalNanos;
            this.counters = counters;
            this.shared = new Slot(intervalNanos, counters);
        }

        synchronized void offer(String key, OutboundFrame frame) {
            if (!cancelled) {
                slotOf(key).offer(frame);
            }
        }

        // @GuardedBy("this")
        private Slot slotOf(String key) {
            if (key.isEmpty()) {
                return shared;
            }
            Slot slot = keyed.get(key);
            if (slot != null) {
                return slot;
            }
            if (keyed.size() >= policy.maxKeysPerRoom()) {
                long now = nanoTime.getAsLong();
                keyed.values().removeIf(s -> s.idle(now));
                if (keyed.size() >= policy.maxKeysPerRoom()) {
                    counters.keyOverflow();
                    return shared;
                }
            }
            slot = new Slot(intervalNanos, counters);
            keyed.put(key, slot);
            return slot;
        }

        synchronized void cancel() {
            cancelled = true;
            shared.cancel();
            keyed.values().forEach(Slot::cancel);
            keyed.clear();
        }
    }

    /** One slot: when the next message may go, and the one held until then. */
    private final class Slot {
        private final long intervalNanos;
        private final ConflationCounters counters;
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

        Slot(long intervalNanos, ConflationCounters counters) {
            this.intervalNanos = intervalNanos;
            this.counters = counters;
        }

        synchronized void offer(OutboundFrame frame) {
            if (cancelled) {
                return;
            }
            long now = nanoTime.getAsLong();
            if (!sentAny || now - nextAt >= 0) {
                // The slot is open: this, the latest, goes now; anything held is older.
                dropHeld();
                cancelFlush();
                send(frame, now);
                return;
            }
            dropHeld();
            held = frame;
            if (flush == null) {
                flush = delay.after(nextAt - now, this::flush);
            }
        }

        /** True when forgetting this slot changes nothing: nothing held, and its next message may go at once. */
        synchronized boolean idle(long now) {
            return held == null && (!sentAny || now - nextAt >= 0);
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

        // @GuardedBy("this"): a newer message of the slot replaces the held one before it went
        private void dropHeld() {
            if (held != null) {
                held = null;
                counters.replaced();
            }
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
            counters.delivered();
            queue.accept(frame);
        }

        synchronized void cancel() {
            cancelled = true;
            held = null;
            cancelFlush();
        }
    }
}
