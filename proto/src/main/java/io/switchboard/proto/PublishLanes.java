package io.switchboard.proto;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

import io.switchboard.proto.internal.v1.PublishSequence;

/**
 * The sender's half of {@link PublishSequence}: numbers one sender's publishes (a client connection's, a public-API
 * stream's) per room in send order and tracks which are acknowledged, so that a router can refuse a publish whose
 * predecessor in the lane was not stored. After a retriable failure the lane's later publishes stay in it, so the
 * router refuses them (OUT_OF_SEQUENCE) unless the failed one turns out stored, until the sender resends one of
 * the failed ids once nothing of the lane is in flight: that resend starts a new lane (new id, seq 1), and the
 * resends behind it follow in it. Not earlier: a sender's publishes sent before it heard of the failure may still
 * arrive when nothing is in flight any more, and in a new lane they would be stored ahead of the resend; and a
 * publish of the old lane still in flight may yet fail (and be resent after the new lane's later publishes) or be
 * stored by another router after them. A resend while the old lane has publishes in flight takes its number in the
 * old lane, so the router refuses it too and the sender resends it again. A sender that never resends gets a new
 * lane {@link #RESEND_WAIT} after the lane's first failure (however many refusals followed it); after a final (non-retriable) failure, which is never resent, the lane ends once
 * nothing of it is in flight. A lane without failures stays while idle (a router that forgot it accepts its next
 * publish as stored_through + 1), but at most {@link #MAX_IDLE_LANES} idle ones are kept. Memory: one entry per
 * room with publishes in flight, failed or idle, each with at most as many numbers and failed ids as were in
 * flight (failed ids, and those of the failed lane a lane replaced, each capped at {@link #MAX_FAILED_IDS}).
 *
 * <p>Thread-safe: one lock per sender (a publish takes and answers it once each).
 */
public final class PublishLanes {
    /** Idle lanes (nothing in flight) kept per sender; beyond that an idle lane is forgotten. */
    static final int MAX_IDLE_LANES = 16;
    /** How long a lane failed by a retriable error waits for the sender's resend before any publish starts anew. */
    public static final Duration RESEND_WAIT = Duration.ofSeconds(10);
    /** Failed ids remembered per lane (a resend of any of them starts the new lane). */
    static final int MAX_FAILED_IDS = 1024;

    /** How a publish was answered. */
    public enum Outcome {
        /** Acknowledged (a duplicate included). */
        STORED,
        /** Failed with an error the sender retries: its resend starts the new lane. */
        RETRIABLE,
        /** Failed for good: the sender will not resend it. */
        FINAL
    }

    /**
     * A publish's place: send {@link #sequence()} with it (again for each attempt) and give the ticket back to
     * {@link #answered} once.
     */
    public final class Ticket {
        private final Lane lane;
        private final long seq;
        private final String id;
        private final boolean resend;

        private Ticket(Lane lane, long seq, String id, boolean resend) {
            this.lane = lane;
            this.seq = seq;
            this.id = id;
            this.resend = resend;
        }

        /**
         * Whether this is the sender's resend of a publish that failed retriably: its outcome was unknown, so
         * another router may have stored it, and the router it goes to should first know the log.
         */
        public boolean resend() {
            return resend;
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
        boolean failedForGood;
        long failedAtNanos;
        /** Ids whose publish failed retriably: a resend of one starts the next lane. */
        final Set<String> failedIds = new HashSet<>();
        /** The failed ids of the lane this one replaced, not resent yet (each is marked {@link Ticket#resend}). */
        final Set<String> resends = new HashSet<>();
        /** Acknowledged numbers above {@code storedThrough} (answers may overtake each other). */
        final TreeSet<Long> storedAbove = new TreeSet<>();

        Lane(String room, String id) {
            this.room = room;
            this.id = id;
        }
    }

    private final String sender;
    private final LongSupplier nanoTime;
    private final Object lock = new Object();
    // @GuardedBy("lock")
    private final Map<String, Lane> byRoom = new HashMap<>();
    // @GuardedBy("lock")
    private long lanesStarted;

    /** @param sender unique among the senders that may reach one router (e.g. "gateway-1/session-42") */
    public PublishLanes(String sender) {
        this(sender, System::nanoTime);
    }

    /** @param nanoTime the clock {@link #RESEND_WAIT} is measured on (tests) */
    public PublishLanes(String sender, LongSupplier nanoTime) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * Numbers the next publish into {@code room}, with message id {@code id}; it must be sent before the next call
     * for the same room.
     */
    public Ticket next(String room, String id) {
        synchronized (lock) {
            Lane lane = byRoom.get(room);
            if (lane == null || lane.failed && startsAnew(lane, id)) {
                Lane failed = lane;
                lane = new Lane(room, sender + "/" + (++lanesStarted));
                if (failed != null) {
                    lane.resends.addAll(failed.failedIds);
                }
                byRoom.put(room, lane);
            }
            boolean resend = lane.failedIds.contains(id) || lane.resends.remove(id);
            lane.inFlight++;
            return new Ticket(lane, lane.nextSeq++, id, resend);
        }
    }

    // @GuardedBy("lock")
    private boolean startsAnew(Lane failed, String id) {
        if (failed.inFlight > 0) {
            return false; // what is still in flight may yet be stored, or fail and be resent: after it, not before
        }
        return failed.failedIds.contains(id) // the sender's resend: everything it sends from here on follows it
                || failed.failedForGood || nanoTime.getAsLong() - failed.failedAtNanos >= RESEND_WAIT.toNanos();
    }

    /** The publish of {@code ticket} was answered; call exactly once per ticket. */
    public void answered(Ticket ticket, Outcome outcome) {
        Lane lane = ticket.lane;
        synchronized (lock) {
            switch (outcome) {
                case STORED -> stored(lane, ticket.seq);
                case RETRIABLE -> {
                    if (!lane.failed) {
                        // From the first failure: the refusals that follow it must not push the wait further, or
                        // a sender that never resends but keeps publishing into the room is refused for good.
                        lane.failed = true;
                        lane.failedAtNanos = nanoTime.getAsLong();
                    }
                    if (lane.failedIds.size() < MAX_FAILED_IDS) {
                        lane.failedIds.add(ticket.id);
                    }
                }
                case FINAL -> {
                    lane.failed = true;
                    lane.failedForGood = true;
                }
            }
            if (--lane.inFlight == 0 && byRoom.get(lane.room) == lane
                    && (lane.failedForGood || !lane.failed && byRoom.size() > MAX_IDLE_LANES)) {
                byRoom.remove(lane.room);
            }
        }
    }

    /**
     * The publish {@code id} into {@code room} was refused before it was sent (a retriable refusal, e.g. the
     * sender's in-flight budget): it takes its number in the lane as a failed publish, so that the router refuses
     * the sender's later ones until its resend starts the new lane.
     */
    public void refused(String room, String id) {
        answered(next(room, id), Outcome.RETRIABLE);
    }

    // @GuardedBy("lock")
    private static void stored(Lane lane, long seq) {
        if (seq == lane.storedThrough + 1) {
            lane.storedThrough = seq;
            while (!lane.storedAbove.isEmpty() && lane.storedAbove.first() == lane.storedThrough + 1) {
                lane.storedThrough = lane.storedAbove.pollFirst();
            }
        } else if (seq > lane.storedThrough) {
            lane.storedAbove.add(seq);
        }
    }

    /** Rooms with a lane: publishes in flight, failed, or idle after success (tests). */
    public int openLanes() {
        synchronized (lock) {
            return byRoom.size();
        }
    }
}
