package io.switchboard.gateway.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

import io.switchboard.proto.Names;

/**
 * The busiest rooms of the whole room log, for the admin view: the fan-out thread counts every record it reads (a
 * gateway reads every partition, so these are cluster-wide rates, not this gateway's local subscribers') in fixed
 * windows; at the end of each window the {@code top} rooms by count become the published {@link Snapshot}.
 * Rooms of the reserved namespace (the delivery probe's) are left out. At most {@code maxRooms} distinct rooms are
 * counted per window; records of further rooms only add to the window's total.
 *
 * <p>Cost per record: one hash-map increment on the dispatching thread (per record, not per delivery).
 * Thread-safe: {@link #record} and {@link #roll} are called by one thread at a time, under {@link KafkaFanout}'s
 * dispatch lock; {@link #snapshot} from any thread reads an immutable, volatile snapshot.
 */
public final class RoomRates {
    /** One room's message rate over the last complete window. */
    public record RoomRate(String room, double perSecond) {
    }

    /**
     * The last complete window: its length, the total rate of every room and the busiest rooms, busiest first.
     * Empty (zero window) until the first window has ended.
     */
    public record Snapshot(Duration window, double totalPerSecond, List<RoomRate> top) {
        public static final Snapshot NONE = new Snapshot(Duration.ZERO, 0, List.of());
    }

    private static final String RESERVED_PREFIX = Names.RESERVED_NAMESPACE + ":";

    private final long windowNanos;
    private final int top;
    private final int maxRooms;
    // Under the dispatch lock.
    private final Map<String, long[]> counts = new HashMap<>();
    private long total;
    private long windowStart;
    private boolean started;
    private volatile Snapshot snapshot = Snapshot.NONE;

    /**
     * @param window   length of one counting window (> 0)
     * @param top      rooms kept per snapshot (>= 1)
     * @param maxRooms distinct rooms counted per window (>= top)
     */
    public RoomRates(Duration window, int top, int maxRooms) {
        Objects.requireNonNull(window, "window");
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
        }
        if (top < 1 || maxRooms < top) {
            throw new IllegalArgumentException("top, maxRooms: " + top + ", " + maxRooms
                    + " (expected: top >= 1, maxRooms >= top)");
        }
        this.windowNanos = window.toNanos();
        this.top = top;
        this.maxRooms = maxRooms;
    }

    /** Under the dispatch lock: one record of {@code room} dispatched at {@code nowNanos}. */
    public void record(String room, long nowNanos) {
        roll(nowNanos);
        total++;
        long[] count = counts.get(room);
        if (count != null) {
            count[0]++;
        } else if (counts.size() < maxRooms) {
            counts.put(room, new long[] {1});
        }
    }

    /** Under the dispatch lock: ends the window if it is over (also called between polls, so quiet times roll). */
    public void roll(long nowNanos) {
        if (!started) {
            started = true;
            windowStart = nowNanos;
            return;
        }
        long elapsed = nowNanos - windowStart;
        if (elapsed < windowNanos) {
            return;
        }
        double seconds = elapsed / 1e9;
        PriorityQueue<Map.Entry<String, long[]>> busiest = new PriorityQueue<>(
                Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[0]));
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            if (e.getKey().startsWith(RESERVED_PREFIX)) {
                continue;
            }
            busiest.add(e);
            if (busiest.size() > top) {
                busiest.poll();
            }
        }
        List<RoomRate> rates = new ArrayList<>(busiest.size());
        while (!busiest.isEmpty()) {
            Map.Entry<String, long[]> e = busiest.poll();
            rates.add(new RoomRate(e.getKey(), e.getValue()[0] / seconds));
        }
        rates.sort(Comparator.comparingDouble(RoomRate::perSecond).reversed().thenComparing(RoomRate::room));
        snapshot = new Snapshot(Duration.ofNanos(elapsed), total / seconds, List.copyOf(rates));
        counts.clear();
        total = 0;
        windowStart = nowNanos;
    }

    /** The last complete window; {@link Snapshot#NONE} before the first one ended. Any thread. */
    public Snapshot snapshot() {
        return snapshot;
    }
}
