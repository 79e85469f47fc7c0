package io.switchboard.client;

import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.Subscribed;
import java.util.Optional;

/**
 * One room's resume point per docs/protocol.md section 10: the epoch and the next position to process.
 * Adopts Subscribed.next_position only when nothing is replayed (replayed messages follow it); advances past
 * each processed message. Not thread-safe: event loop only.
 */
final class RoomTracker {
    private String epoch = "";
    private long next;
    private boolean known;

    /**
     * Starts from {@code from} (a position the application kept, or the start of a log) instead of a plain
     * subscribe: the first Subscribe resumes from it. Only before anything of the room was seen.
     */
    void startAt(ResumeFrom from) {
        epoch = from.getEpoch();
        next = from.getFromCase() == ResumeFrom.FromCase.POSITION ? from.getPosition() + 1 : from.getNextPosition();
        known = true;
    }

    /** Applies a Subscribed of this room. */
    void onSubscribed(Subscribed subscribed) {
        if (!subscribed.getEpoch().equals(epoch)) {
            // Another log: positions of the old epoch mean nothing any more.
            epoch = subscribed.getEpoch();
            known = false;
            next = 0;
        }
        if (subscribed.getReplayed() == 0) {
            advanceTo(subscribed.getNextPosition());
        }
    }

    /** True when {@code message} lies before the next position of the current epoch: already processed. */
    boolean alreadyProcessed(Message message) {
        return known && message.getEpoch().equals(epoch) && message.getPosition() < next;
    }

    /** Records that {@code message} was processed. */
    void onProcessed(Message message) {
        if (!message.getEpoch().equals(epoch)) {
            epoch = message.getEpoch();
            known = false;
            next = 0;
        }
        advanceTo(message.getPosition() + 1);
    }

    private void advanceTo(long position) {
        if (!known || position > next) {
            next = position;
            known = true;
        }
    }

    /** Where to resume, when a position in a known epoch has been seen. */
    Optional<ResumeFrom> resumeFrom() {
        if (!known || epoch.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ResumeFrom.newBuilder().setNextPosition(next).setEpoch(epoch).build());
    }

    String epoch() {
        return epoch;
    }

    /** The next position to process, or -1 when unknown. */
    long nextPosition() {
        return known ? next : -1;
    }
}
