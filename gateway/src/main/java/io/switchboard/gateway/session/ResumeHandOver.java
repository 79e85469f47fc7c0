package io.switchboard.gateway.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.gateway.history.ResumeOutcome;
import io.switchboard.gateway.history.ResumeReader;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.Messages;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.internal.v1.Envelope;

/**
 * A Subscribe with {@code resume_from}: the hand-over of a room from history to the live stream with no gap and
 * no duplicate. It registers at the fan-out's hand-over point {@code L} (so every message at or above {@code L}
 * reaches the session), buffers the room's live messages in a {@link Replay} while the missed ones (after the
 * client's position, below {@code L}) are read from history off the fan-out thread, then writes Subscribed, the
 * replayed messages and the buffer, in that order, and goes live. A resume into another epoch subscribes with
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
        return history.missed(room, epoch, after, until)
                .exceptionally(failure -> {
                    LOG.log(Level.SEVERE, "Resume of " + room + " failed in session " + sessionId, failure);
                    return new ResumeOutcome.Failed(new ClientError(ErrorCode.INTERNAL, "internal error"));
                })
                .thenAccept(outcome -> finish(sub, epoch, replay, until, outcome));
    }

    /** Any thread: ends a resume with its outcome. */
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
                handOver(room, replay, ServerFrames.subscribed(sub, epoch, false, n.reason(), 0, liveFrom), List.of());
            }
            case ResumeOutcome.Recovered r -> {
                // Encoded before taking the replay's lock, which the fan-out thread may be waiting for.
                List<Replay.Positioned> frames = new ArrayList<>(r.messages().size());
                for (Envelope env : r.messages()) {
                    ServerFrame message = ServerFrame.newBuilder()
                            .setMessage(Messages.ofStored(room, env, epoch)).build();
                    frames.add(new Replay.Positioned(env.getPosition().getOffset(), output.encode(message)));
                }
                metrics.resume("recovered");
                handOver(room, replay, ServerFrames.subscribed(sub, epoch, true,
                        RecoveryFailure.RECOVERY_FAILURE_UNSPECIFIED, frames.size(), liveFrom), frames);
            }
        }
    }

    private void handOver(String room, Replay replay, ServerFrame subscribed, List<Replay.Positioned> frames) {
        if (replay.finish(output.encode(subscribed), frames, output::enqueue)) {
            rooms.replayDone(room, replay);
        }
    }

    private CompletableFuture<Void> answered(ServerFrame reply) {
        output.send(reply);
        return CompletableFuture.completedFuture(null);
    }
}
