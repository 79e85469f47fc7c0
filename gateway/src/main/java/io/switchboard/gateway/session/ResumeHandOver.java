package io.switchboard.gateway.session;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.gateway.history.GapPage;
import io.switchboard.gateway.history.ResumeOutcome;
import io.switchboard.gateway.history.ResumeReader;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;

/**
 * A Subscribe with {@code resume_from}: the hand-over of a room from history to the live stream with no gap and
 * no duplicate. It registers at the fan-out's hand-over point {@code L} (so every message at or above {@code L}
 * reaches the session), holds the room's live messages in a {@link Replay} while the first page of the missed ones
 * (after the client's position, below {@code L}) is read from history off the fan-out thread, then a
 * {@link ReplayStream} writes Subscribed, the replayed messages page by page at the client's pace and the held
 * live ones, in that order, and goes live. A resume into another epoch subscribes with
 * {@code recovered=false EPOCH_CHANGED}. When history cannot be asked, the subscription is removed again and the
 * client gets a retriable Error: never a silent gap.
 *
 * <p>Thread-safe: {@link #resume} runs on the connection's reader thread, its completion on a gRPC thread; the
 * state of a resume in progress is its {@link Replay}.
 */
final class ResumeHandOver {
    private static final Logger LOG = Logger.getLogger(ResumeHandOver.class.getName());

    private final String sessionId;
    private final RoomSubscriptions rooms;
    private final SessionOutput output;
    private final ResumeReader history;
    private final long maxBufferBytes;
    private final GatewayMetrics metrics;

    /**
     * @param history        reads what a resuming subscription missed
     * @param maxBufferBytes live bytes one resuming subscription may buffer while its history is replayed
     */
    ResumeHandOver(String sessionId, RoomSubscriptions rooms, SessionOutput output, ResumeReader history,
                   long maxBufferBytes, GatewayMetrics metrics) {
        this.sessionId = sessionId;
        this.rooms = rooms;
        this.output = output;
        this.history = history;
        this.maxBufferBytes = maxBufferBytes;
        this.metrics = metrics;
    }

    /**
     * Starts the resume of an admitted Subscribe. Completes when the client has its answer (Subscribed with the
     * replay, or an Error); completes exceptionally only on a bug, after which the session should close.
     */
    CompletableFuture<Void> resume(Subscribe sub) {
        String room = sub.getRoom();
        ResumeFrom from = sub.getResumeFrom();
        if (rooms.contains(room)) {
            // Its messages already flow; replaying on top would duplicate them.
            return answered(ServerFrames.error(sub.getRequestId(), new ClientError(ErrorCode.BAD_REQUEST,
                    "already subscribed to " + room + " (expected: unsubscribe before resuming)"), room));
        }
        // The last position the client processed; -1 when it has processed nothing of the room (next_position 0).
        long after;
        switch (from.getFromCase()) {
            case POSITION -> after = from.getPosition();
            case NEXT_POSITION -> after = from.getNextPosition() - 1;
            default -> {
                return answered(ServerFrames.error(sub.getRequestId(), new ClientError(ErrorCode.BAD_REQUEST,
                        "resume_from: no position (expected: position or next_position)"), room));
            }
        }
        String epoch = rooms.epochOf(room);
        if (!from.getEpoch().equals(epoch)) {
            rooms.join(room, sub.getPresence());
            OptionalLong liveFrom = rooms.register(room);
            if (liveFrom.isPresent()) {
                metrics.resume("epoch_changed");
                output.send(ServerFrames.subscribed(sub, epoch, false, RecoveryFailure.EPOCH_CHANGED, 0,
                        liveFrom.getAsLong()));
            }
            return CompletableFuture.completedFuture(null);
        }
        Replay replay = new Replay(after, maxBufferBytes);
        rooms.replayInto(room, replay);
        rooms.join(room, sub.getPresence());
        OptionalLong liveFrom = rooms.register(room);
        if (liveFrom.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        long until = liveFrom.getAsLong();
        return history.start(room, epoch, after, until)
                .exceptionally(failure -> {
                    LOG.log(Level.SEVERE, "Resume of " + room + " failed in session " + sessionId, failure);
                    return new ResumeOutcome.Failed(new ClientError(ErrorCode.INTERNAL, "internal error"));
                })
                .thenAccept(outcome -> finish(sub, epoch, replay, until, outcome));
    }

    /** Any thread: ends a resume with its outcome, or streams its replay. */
    private void finish(Subscribe sub, String epoch, Replay replay, long liveFrom, ResumeOutcome outcome) {
        String room = sub.getRoom();
        switch (outcome) {
            case ResumeOutcome.Failed f -> {
                if (replay.cancel()) {
                    rooms.abandon(room, replay);
                    metrics.resume(f.error().code().name().toLowerCase(Locale.ROOT));
                    output.send(ServerFrames.error(sub.getRequestId(), f.error(), room));
                }
            }
            case ResumeOutcome.NotRecovered n -> {
                metrics.resume(n.reason().name().toLowerCase(Locale.ROOT));
                // Nothing to replay, but live messages dropped from a full buffer meanwhile are re-read.
                stream(room, epoch, replay, liveFrom, ServerFrames.subscribed(sub, epoch, false, n.reason(), 0,
                        liveFrom), new GapPage(List.of(), OptionalLong.empty()));
            }
            case ResumeOutcome.Recovered r -> {
                metrics.resume("recovered");
                // replayed is at most gateway.resume.max-messages, an int.
                stream(room, epoch, replay, liveFrom, ServerFrames.subscribed(sub, epoch, true,
                        RecoveryFailure.RECOVERY_FAILURE_UNSPECIFIED, (int) r.replayed(), liveFrom), r.first());
            }
        }
    }

    private void stream(String room, String epoch, Replay replay, long liveFrom, ServerFrame subscribed,
                        GapPage first) {
        new ReplayStream(room, epoch, replay, history, output, metrics, liveFrom,
                () -> rooms.replayDone(room, replay)).start(subscribed, first);
    }

    private CompletableFuture<Void> answered(ServerFrame reply) {
        output.send(reply);
        return CompletableFuture.completedFuture(null);
    }
}
