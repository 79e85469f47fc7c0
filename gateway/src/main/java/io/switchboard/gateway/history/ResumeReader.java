package io.switchboard.gateway.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.Status;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.ReadDirection;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;

/**
 * Reads the messages a resuming subscription missed: every message of the room with a position in
 * {@code (after, until)}, where {@code until} is where its live stream starts, in pages of {@code pageSize}, at
 * most {@code maxMessages} (more: TOO_FAR_BEHIND, nothing replayed). Without a history service (none configured)
 * a range that may hold messages is HISTORY_DISABLED at once: positions are partition offsets, so any record of
 * another room on the same partition (a delivery probe's, say) opens such a range, and a retriable error would
 * leave the client retrying, unsubscribed, forever.
 *
 * <p>Reconnect storms: page reads are coalesced in a Caffeine {@link AsyncCache} keyed by (room, epoch, after,
 * page size). The first caller's read (with its own {@code until}) is shared by every caller asking for the same
 * page while it is in flight and for {@code ttl} after it completed; each caller keeps only the messages below its
 * own {@code until} and, when the shared page stopped short of it (it was read with a smaller {@code until}),
 * continues with a further, equally coalesced read. Failed reads are not kept (Caffeine drops failed futures),
 * so a recovered history service is asked again at once. Bounded by the serialized bytes of the cached pages.
 *
 * <p>Thread-safe; never blocks: continuations run on the gRPC callback threads.
 */
public final class ResumeReader {
    private static final Logger LOG = Logger.getLogger(ResumeReader.class.getName());

    private record PageKey(String room, String epoch, long after, int pageSize) {
    }

    /** A page as read, with the {@code until} it was read with (0: none). */
    private record Page(ReadResponse response, long until) {
    }

    private final HistoryClient client;
    private final int pageSize;
    private final boolean coalesce;
    private final int maxMessages;
    private final GatewayMetrics metrics;
    private final AsyncCache<PageKey, Page> pages;

    /**
     * @param pageSize       messages per history read (1-1000)
     * @param maxMessages    most messages replayed for one subscribe
     * @param ttl            how long a completed page is shared with later identical reads
     * @param maxCachedBytes bound of the cached pages, in serialized bytes
     * @param ticker         time source of the ttl
     * @param coalesce       share identical reads (off only to measure what sharing saves)
     */
    public ResumeReader(HistoryClient client, int pageSize, int maxMessages, Duration ttl, long maxCachedBytes,
                        GatewayMetrics metrics, Ticker ticker, boolean coalesce) {
        this.client = client;
        this.coalesce = coalesce;
        this.pageSize = pageSize;
        this.maxMessages = maxMessages;
        this.metrics = metrics;
        this.pages = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumWeight(maxCachedBytes)
                .weigher((PageKey k, Page p) -> p.response().getSerializedSize() + 64)
                .ticker(ticker)
                .buildAsync();
    }

    /**
     * Reads the messages of {@code room} in {@code (after, until)}; {@code after} is -1 to read from the first.
     *
     * @param epoch the room's epoch (already checked against the client's)
     * @return never completes exceptionally
     */
    public CompletableFuture<ResumeOutcome> missed(String room, String epoch, long after, long until) {
        if (after + 1 >= until) {
            return CompletableFuture.completedFuture(new ResumeOutcome.Recovered(List.of()));
        }
        if (!client.configured()) {
            return CompletableFuture.completedFuture(new ResumeOutcome.NotRecovered(RecoveryFailure.HISTORY_DISABLED));
        }
        return next(room, epoch, after, until, new ArrayList<>());
    }

    private CompletableFuture<ResumeOutcome> next(String room, String epoch, long after, long until,
                                                  List<Envelope> acc) {
        CompletableFuture<Page> read;
        try {
            read = page(room, epoch, after, until);
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        return read.handle((page, failure) -> {
            if (failure != null) {
                return CompletableFuture.completedFuture(HistoryStatusMapper.resume(HistoryStatusMapper.status(failure)));
            }
            return continueAfter(room, epoch, after, until, acc, page);
        }).thenCompose(f -> f);
    }

    private CompletableFuture<ResumeOutcome> continueAfter(String room, String epoch, long after, long until,
                                                           List<Envelope> acc, Page page) {
        long last = after;
        for (Envelope e : page.response().getMessagesList()) {
            long pos = e.getPosition().getOffset();
            if (pos <= last) {
                continue; // defensive: never twice, never backwards
            }
            if (pos >= until) {
                return done(acc);
            }
            acc.add(e);
            last = pos;
            if (acc.size() > maxMessages) {
                return CompletableFuture.completedFuture(
                        new ResumeOutcome.NotRecovered(RecoveryFailure.TOO_FAR_BEHIND));
            }
        }
        long from;
        if (last + 1 >= until) {
            return done(acc);
        } else if (page.response().getHasMore()) {
            if (last == after) {
                // has_more without progress would loop forever: treat as a broken answer.
                LOG.warning("History answered has_more with no message after " + after + " for " + room);
                return CompletableFuture.completedFuture(HistoryStatusMapper.resume(
                        Status.INTERNAL.withDescription("history made no progress")));
            }
            from = last;
        } else if (page.until() != 0 && page.until() < until) {
            // The shared page was read for an earlier hand-over point: nothing stored in (after, page.until)
            // beyond its messages, but (page.until - 1, until) must still be read.
            // (A page is only read when after + 1 < its until, so this always makes progress.)
            from = Math.max(last, page.until() - 1);
        } else {
            return done(acc);
        }
        return next(room, epoch, from, until, acc);
    }

    private static CompletableFuture<ResumeOutcome> done(List<Envelope> acc) {
        return CompletableFuture.completedFuture(new ResumeOutcome.Recovered(acc));
    }

    private CompletableFuture<Page> page(String room, String epoch, long after, long until) {
        if (!coalesce) {
            return read(room, epoch, after, until);
        }
        return pages.get(new PageKey(room, epoch, after, pageSize), (key, executor) -> read(room, epoch, after, until));
    }

    private CompletableFuture<Page> read(String room, String epoch, long after, long until) {
        ReadRequest request = ReadRequest.newBuilder()
                .setRoom(room)
                .setDirection(ReadDirection.READ_AFTER)
                // after == -1: the client has seen nothing of the room yet; read from its first message.
                .setPosition(Math.max(after, 0))
                .setFromStart(after < 0)
                .setEpoch(epoch)
                .setLimit(pageSize)
                .setUntil(until)
                .build();
        metrics.historyRead("resume");
        return client.read(request).handle((response, failure) -> {
            if (failure == null) {
                return new Page(response, until);
            }
            // NOT_FOUND is an answer (nothing stored), worth sharing like any page.
            Status status = HistoryStatusMapper.status(failure);
            if (status.getCode() == Status.Code.NOT_FOUND) {
                return new Page(ReadResponse.newBuilder().setEpoch(epoch).build(), until);
            }
            throw status.asRuntimeException();
        });
    }
}
