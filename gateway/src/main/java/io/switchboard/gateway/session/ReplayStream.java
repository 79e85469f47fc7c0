package io.switchboard.gateway.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.grpc.Status;
import io.switchboard.gateway.history.GapPage;
import io.switchboard.gateway.history.HistoryStatusMapper;
import io.switchboard.gateway.history.ResumeReader;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.proto.Messages;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.service.RetryWaits;

/**
 * Streams one resume's replay into its {@link Replay} with flow control: Subscribed, then the missed messages page
 * by page, then (when live messages had to be dropped meanwhile) their re-read from history, then live. A page's
 * frames are queued only while the connection's outbound queue holds less than half its bound (the other half
 * stays for the connection's other traffic), and the next page is read only once the queue has drained to a
 * quarter: a slow client pauses its replay (counted by {@code gateway_resume_replays_waiting}) instead of filling
 * gateway memory, so a replay holds at most one page however deep the gap. A page read that history cannot answer
 * now (UNAVAILABLE, DEADLINE_EXCEEDED) is retried twice, after 0.25 s and 1 s; a history failure after Subscribed
 * was sent that persists (history down, or retention deleted what came next) closes the connection 3002
 * {@code SERVER_ERROR}: the client reconnects and resumes from the last message it processed, and learns there
 * what is left.
 *
 * <p>Not thread-safe, and needs not be: its steps run one after another (each started by the completion of the
 * previous one's history read or queue wait), on virtual threads of their own, never on the writer's or a gRPC
 * thread and never recursively.
 */
final class ReplayStream {
    private static final Logger LOG = Logger.getLogger(ReplayStream.class.getName());
    private static final ThreadFactory THREADS = Thread.ofVirtual().name("resume-replay-", 0).factory();
    private static final Executor ASYNC = task -> THREADS.newThread(task).start();
    /** Retries of a page read that history could not answer now; then the connection is closed. */
    private static final int READ_RETRIES = 2;

    private final String room;
    private final String epoch;
    private final Replay replay;
    private final ResumeReader history;
    private final SessionOutput output;
    private final GatewayMetrics metrics;
    private final Runnable onLive;
    // Queued bytes this replay fills the connection's queue up to, and drains it to before reading on.
    private final long fillTo;
    private final long readBelow;
    // The waits before the retries of one page read: 0.25 s, then 1 s.
    private final RetryWaits retryWaits = new RetryWaits(Duration.ofMillis(250), 4, Duration.ofSeconds(1));
    private List<Replay.Positioned> page = List.of();
    private int written;
    private OptionalLong continueAfter = OptionalLong.empty();
    private long until;
    private boolean ended;
    private int retries;

    /**
     * @param until  the hand-over point: the replay reads below it
     * @param onLive runs once the subscription went live
     */
    ReplayStream(String room, String epoch, Replay replay, ResumeReader history, SessionOutput output,
                 GatewayMetrics metrics, long until, Runnable onLive) {
        this.room = room;
        this.epoch = epoch;
        this.replay = replay;
        this.history = history;
        this.output = output;
        this.metrics = metrics;
        this.until = until;
        this.onLive = onLive;
        this.fillTo = Math.max(1, output.maxQueueBytes() / 2);
        this.readBelow = fillTo / 2;
    }

    /** Writes {@code subscribed}, then {@code first} and what follows it, then goes live. */
    void start(ServerFrame subscribed, GapPage first) {
        metrics.replaying(1);
        if (!replay.announce(output.encode(subscribed), output::enqueue)) {
            end();
            return;
        }
        accept(first);
    }

    private void accept(GapPage next) {
        page = encode(next.messages());
        written = 0;
        continueAfter = next.continueAfter();
        pump();
    }

    private List<Replay.Positioned> encode(List<Envelope> messages) {
        List<Replay.Positioned> frames = new ArrayList<>(messages.size());
        for (Envelope env : messages) {
            ServerFrame message = ServerFrame.newBuilder().setMessage(Messages.ofStored(room, env, epoch)).build();
            frames.add(new Replay.Positioned(env.getPosition().getOffset(), output.encode(message)));
        }
        return frames;
    }

    /** Queues what fits of the page, then reads on, goes live, or waits for the client to read. */
    private void pump() {
        if (!output.accepting()) {
            // The connection is closing: nothing more reaches the client (its session cancels the replay too).
            replay.cancel();
            end();
            return;
        }
        while (written < page.size()) {
            long queued = output.queuedBytes();
            int from = written;
            int to = from;
            long bytes = queued;
            while (to < page.size() && (to == from && queued == 0 || bytes + page.get(to).frame().size() <= fillTo)) {
                bytes += page.get(to).frame().size();
                to++;
            }
            if (to == from) {
                waitForRoom(readBelow);
                return;
            }
            if (!replay.write(page.subList(from, to), output::enqueue)) {
                end();
                return;
            }
            written = to;
        }
        page = List.of();
        if (replay.cancelled()) {
            end();
            return;
        }
        if (continueAfter.isPresent()) {
            if (output.queuedBytes() > readBelow) {
                waitForRoom(readBelow);
                return;
            }
            read(continueAfter.getAsLong());
            return;
        }
        Replay.Reread reread = replay.goLive(output::enqueue);
        if (reread == null) {
            onLive.run();
            end();
            return;
        }
        // Live messages were dropped while replaying (more than the resume buffer): read them back.
        until = reread.until();
        continueAfter = OptionalLong.of(reread.after());
        pump();
    }

    private void waitForRoom(long atMost) {
        metrics.replayWaiting(1);
        output.whenQueuedAtMost(atMost).thenRunAsync(() -> {
            metrics.replayWaiting(-1);
            guarded(this::pump);
        }, ASYNC);
    }

    private void read(long after) {
        history.next(room, epoch, after, until).whenCompleteAsync((next, failure) -> {
            if (failure == null) {
                retries = 0;
                retryWaits.reset();
                guarded(() -> accept(next));
                return;
            }
            Status status = HistoryStatusMapper.status(failure);
            if (HistoryStatusMapper.retriable(status) && retries < READ_RETRIES && !replay.cancelled()) {
                // A blip (a history restart, a slow read in a storm) should not cost the client a reconnect.
                long wait = retryWaits.current().toMillis();
                retryWaits.advance();
                retries++;
                CompletableFuture.runAsync(() -> guarded(() -> read(after)),
                        CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS, ASYNC));
                return;
            }
            fail(status, failure);
        }, ASYNC);
    }

    /** Runs a step; a bug in it closes the connection rather than leave the subscription replaying forever. */
    private void guarded(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Replay of " + room + " failed", e);
            replay.cancel();
            output.closeConnection(ErrorCode.SERVER_ERROR, "internal error");
            end();
        }
    }

    private void fail(Status status, Throwable failure) {
        if (replay.cancel()) {
            LOG.log(Level.FINE, "Replay of " + room + " interrupted", failure);
            metrics.resume("interrupted");
            output.closeConnection(ErrorCode.SERVER_ERROR, "replay of " + room + " interrupted ("
                    + status.getCode() + "); resume again");
        }
        end();
    }

    private void end() {
        if (!ended) {
            ended = true;
            metrics.replaying(-1);
        }
    }
}
