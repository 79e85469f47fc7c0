package io.switchboard.router;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Ticker;
import io.switchboard.proto.internal.v1.PublishSequence;

import java.time.Duration;

/**
 * Keeps each sender's publishes into a room in send order ({@link PublishSequence}): a publish of a lane is let
 * through only when it is the lane's next one here, or, for a lane this router has not seen (a new lane, or one
 * that failed over from another router), the first one its sender has no acknowledgement for. A lane known here
 * also moves on to that one when the sender's acknowledgements are ahead of it (the publishes in between were
 * stored by another router, e.g. before the lane was first refused here with an older acknowledgement). Anything else is
 * refused before it reaches Kafka, so a publish whose predecessor failed or is missing is never stored ahead of
 * it. A lane whose append failed is broken: nothing more of it is let through (its sender starts a new lane).
 *
 * <p>Requests must reach {@link #admit} in their sender's order: a {@code PublishStream} hands them over in order.
 * Lanes are remembered in a bounded Caffeine cache (expire after access), with the ticker injected; a lane
 * forgotten while idle is harmless (its next publish follows its sender's acknowledgements). Thread-safe: each lane
 * is updated under its own monitor (held for a comparison and an increment).
 */
final class PublishSequencer {
    /** Lanes remembered at most: far more than the senders publishing at once through one router. */
    static final long MAX_LANES = 200_000;
    /** A lane unused this long is forgotten (its sender's publishes time out much sooner). */
    static final Duration LANE_IDLE = Duration.ofMinutes(2);
    private static final long BROKEN = -1;

    private static final class Lane {
        // @GuardedBy("this"): the seq let through next, or BROKEN
        long next;

        Lane(long next) {
            this.next = next;
        }
    }

    private final Cache<String, Lane> lanes;

    PublishSequencer(Ticker ticker) {
        this.lanes = RouterCaches.onCallingThread(ticker)
                .maximumSize(MAX_LANES)
                .expireAfterAccess(LANE_IDLE)
                .build();
    }

    /**
     * Whether the publish with {@code sequence} may be appended now; when it may, the lane moves on to the next
     * seq. A request without a lane is always let through.
     */
    boolean admit(PublishSequence sequence) {
        if (sequence.getLane().isEmpty()) {
            return true;
        }
        long firstUnacknowledged = sequence.getStoredThrough() + 1;
        Lane lane = lanes.get(sequence.getLane(), id -> new Lane(firstUnacknowledged));
        synchronized (lane) {
            if (lane.next != BROKEN && lane.next < firstUnacknowledged) {
                lane.next = firstUnacknowledged; // acknowledged, so stored: nothing of them can come after this one
            }
            if (lane.next != sequence.getSeq()) {
                return false;
            }
            lane.next++;
            return true;
        }
    }

    /**
     * A duplicate of an already stored publish: it counts as the lane's next one when it is, so that the lane goes
     * on after a resend; out of turn it changes nothing (it is not stored again).
     */
    void passed(PublishSequence sequence) {
        admit(sequence);
    }

    /**
     * Whether {@code sequence} continues a lane this router has not seen (seq after 1): its sender's earlier
     * publishes went to another router, which may have stored this one too.
     */
    boolean takesOver(PublishSequence sequence) {
        return sequence.getSeq() > 1 && lanes.getIfPresent(sequence.getLane()) == null;
    }

    /** The append of a publish of {@code sequence}'s lane failed: nothing more of the lane is let through. */
    void broken(PublishSequence sequence) {
        if (sequence.getLane().isEmpty()) {
            return;
        }
        Lane lane = lanes.getIfPresent(sequence.getLane());
        if (lane != null) {
            synchronized (lane) {
                lane.next = BROKEN;
            }
        }
    }

    /** Approximate number of lanes remembered. */
    long size() {
        return lanes.estimatedSize();
    }
}
