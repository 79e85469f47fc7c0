package io.switchboard.bench;

import java.time.Duration;
import java.util.Objects;

/**
 * One fan-out workload: {@code clients} subscribers spread over {@code rooms}, one publisher per room, and
 * {@code rate} publishes per second in total, measured for {@code duration} after {@code warmup}.
 * Subscriber {@code i} joins room {@code i % rooms} on gateway {@code (i / rooms) % gateways}, so every room
 * has subscribers on every gateway; the publisher of room {@code r} uses gateway {@code r % gateways}.
 * Immutable and validated at construction.
 *
 * @param clients      subscribing connections
 * @param rooms        rooms, each with one publisher
 * @param rate         publishes per second over all rooms
 * @param duration     measurement window
 * @param warmup       publishing before the window, not measured
 * @param payloadBytes payload size of every publish (at least the 8-byte send time it carries)
 * @param gateways     gateways of the Switchboard cluster
 * @param routers      routers of the Switchboard cluster
 * @param drainTimeout how long to wait, after the last publish, for deliveries still in flight
 */
public record FanoutSpec(int clients, int rooms, double rate, Duration duration, Duration warmup, int payloadBytes,
                         int gateways, int routers, Duration drainTimeout) {
    /** Bytes of the intended send time at the start of every payload. */
    public static final int TIMESTAMP_BYTES = Long.BYTES;

    public FanoutSpec {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        if (rooms < 1) {
            throw new IllegalArgumentException("rooms: " + rooms + " (expected: >= 1)");
        }
        if (clients < rooms) {
            throw new IllegalArgumentException("clients: " + clients + " (expected: >= rooms (" + rooms + "))");
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: > 0)");
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("warmup: " + warmup + " (expected: >= 0)");
        }
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drainTimeout: " + drainTimeout + " (expected: >= 0)");
        }
        if (payloadBytes < TIMESTAMP_BYTES) {
            throw new IllegalArgumentException("payloadBytes: " + payloadBytes + " (expected: >= " + TIMESTAMP_BYTES + ")");
        }
        if (gateways < 1) {
            throw new IllegalArgumentException("gateways: " + gateways + " (expected: >= 1)");
        }
        if (routers < 1) {
            throw new IllegalArgumentException("routers: " + routers + " (expected: >= 1)");
        }
    }

    /** The room subscriber {@code i} joins. */
    public String roomOf(int subscriber) {
        return room(subscriber % rooms);
    }

    /** The name of room {@code index}. */
    public static String room(int index) {
        return "bench:" + index;
    }

    /** The endpoint index (of {@code endpoints}) subscriber {@code i} connects to. */
    public int endpointOfSubscriber(int subscriber, int endpoints) {
        return (subscriber / rooms) % endpoints;
    }

    /** The endpoint index (of {@code endpoints}) the publisher of room {@code r} connects to. */
    public int endpointOfPublisher(int room, int endpoints) {
        return room % endpoints;
    }

    /** How many subscribers room {@code r} has. */
    public int subscribersOf(int room) {
        return clients / rooms + (room < clients % rooms ? 1 : 0);
    }

    /** Nanoseconds between two publishes of one room's publisher. */
    public long publishIntervalNanos() {
        return Math.round(rooms * 1e9 / rate);
    }
}
