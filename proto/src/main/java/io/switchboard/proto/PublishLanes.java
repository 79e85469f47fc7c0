package io.switchboard.proto;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import io.switchboard.proto.internal.v1.PublishSequence;

/**
 * The sender's half of {@link PublishSequence}: numbers one sender's publishes (a client connection's, a public-API
 * stream's) per room in send order and tracks which are acknowledged, so that a router can refuse a publish whose
 * predecessor in the lane was not stored. After a failure the lane's later publishes are refused (OUT_OF_SEQUENCE)
 * until nothing of it is in flight; the next publish then starts a new lane (new id, seq 1), so the sender's
 * resends start afresh. A lane without failures stays while idle (a router that forgot it accepts its next publish
 * as stored_through + 1), but at most {@link #MAX_IDLE_LANES} idle ones are kept. Memory: one entry per room with
 * publishes in flight plus the idle ones, each with at most as many numbers as are in flight.
 *
 * <p>Thread-safe: one lock per sender (a publish takes and answers it once each).
 */
public final class PublishLanes {
    /** Idle lanes (nothing in flight) kept per sender; beyond that an idle lane is forgotten. */
    static final int MAX_IDLE_LANES = 16;

    /**
     * A publish's place: send {@link #sequence()} with it (again for each attempt) and give the ticket back to
     * {@link #answered} once.
     */
    public final class Ticket {
        private final Lane lane;
        private final long seq;

        private Ticket(Lane lane, long seq) {
            this.lane = lane;
            this.seq = seq;
        }

        /**
         * The sequence to send now: with what is acknowledged by now, so that a router that takes the lane over
         * (a failover) knows where the lane stands.
         */
        public PublishSequence sequence() {
            synchronized (lock) {
                return PublishSequence.newBuilder().setLane(lane.id).setSeq(seq).setStoredThrough(lane.storedThrough)
                        .build();
            }
        }
    }

    private static final class Lane {
        final String room;
        final String id;
        long nextSeq = 1;
        long storedThrough;
        int inFlight;
        boolean failed;
        /** Acknowledged numbers above {@code storedThrough} (answers may overtake each other). */
        final TreeSet<Long> storedAbove = new TreeSet<>();

        Lane(String room, String id) {
            this.room = room;
            this.id = id;
        }
    }

    private final String sender;
    private final Object lock = new Object();
    // @GuardedBy("lock")
    private final Map<String, Lane> byRoom = new HashMap<>();
    // @GuardedBy("lock")
    private long lanesStarted;

    /** @param sender unique among the senders that may reach one router (e.g. "gateway-1/session-42") */
    public PublishLanes(String sender) {
        this.sender = Objects.requireNonNull(sender, "sender");
    }

    /** Numbers the next publish into {@code room}; it must be sent before the next call for the same room. */
    public Ticket next(String room) {
        synchronized (lock) {
            Lane lane = byRoom.get(room);
            if (lane == null) {
                lane = new Lane(room, sender + "/" + (++lanesStarted));
                byRoom.put(room, lane);
            }
            lane.inFlight++;
            return new Ticket(lane, lane.nextSeq++);
        }
    }

    /**
     * The publish of {@code ticket} was answered: {@code stored} when acknowledged (a duplicate included), false
     * when it failed. Call exactly once per ticket.
     */
    public void answered(Ticket ticket, boolean stored) {
        Lane lane = ticket.lane;
        synchronized (lock) {
            if (stored) {
                long seq = ticket.seq;
                if (seq == lane.storedThrough + 1) {
                    lane.storedThrough = seq;
                    while (!lane.storedAbove.isEmpty() && lane.storedAbove.first() == lane.storedThrough + 1) {
                        lane.storedThrough = lane.storedAbove.pollFirst();
                    }
                } else if (seq > lane.storedThrough) {
                    lane.storedAbove.add(seq);
                }
            }
            if (!stored) {
                lane.failed = true;
            }
            if (--lane.inFlight == 0 && (lane.failed || byRoom.size() > MAX_IDLE_LANES)
                    && byRoom.get(lane.room) == lane) {
                byRoom.remove(lane.room);
            }
        }
    }

    /** Rooms with a lane: publishes in flight, or idle after success (tests). */
    public int openLanes() {
        synchronized (lock) {
            return byRoom.size();
        }
    }
}
