package io.switchboard.gateway.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
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
import io.switchboard.service.Futures;

/**
 * Reads the messages a resuming subscription missed: every message of the room with a position in
 * {@code (after, until)}, where {@code until} is where its live stream starts, one page of {@code pageSize} at a
 * time. {@link #start} reads the first page; when the gap is longer, it also asks history how many messages the
 * gap holds (one count, so that Subscribed can say how many are replayed before any is read), and refuses a gap
 * of more than {@code maxMessages} (TOO_FAR_BEHIND, nothing replayed). The caller then reads the rest with
 * {@link #next}, one page at a time, as fast as its client takes them. Without a history service (none
 * configured) a range that may hold messages is HISTORY_DISABLED at once: positions are partition offsets, so any
 * record of another room on the same partition (a delivery probe's, say) opens such a range, and a retriable error
 * would leave the client retrying, unsubscribed, forever.
 *
 * <p>Reconnect storms: page reads are coalesced in a Caffeine {@link AsyncCache} keyed by (room, epoch, after,
 * page size), and counts by (room, epoch, after, until). The first caller's read (with its own {@code until}) is
 * shared by every caller asking for the same page while it is in flight and for {@code ttl} after it completed;
 * each caller keeps only the messages below its own {@code until} and, when the shared page stopped short of it
 * (it was read with a smaller {@code until}), continues with a further, equally coalesced read. Failed reads are
 * not kept (Caffeine drops failed futures), so a recovered history service is asked again at once. Bounded by the
 * serialized bytes of the cached pages.
 *
 * <p>Thread-safe; never blocks: continuations run on the gRPC callback threads.
 */
public final class ResumeReader {
    private static final Logger LOG = Logger.getLogger(ResumeReader.class.getName());

    private record PageKey(String room, String epoch, long after, int pageSize) {
    }

    private record CountKey(String room, String epoch, long after, long until) {
    }

    /** A page as read, with the {@code until} it was read with (0: none). */
    private record Page(ReadResponse response, long until) {
    }

    private final HistoryClient client;
    private final int pageSize;
    private final boolean coalesce;
    private final long maxMessages;
    private final GatewayMetrics metrics;
    private final AsyncCache<PageKey, Page> pages;
    private final AsyncCache<CountKey, Long> counts;

    /**
     * @param pageSize       messages per history read (1-1000)
     * @param maxMessages    most messages replayed for one subscribe
     * @param ttl            how long a completed page is shared with later identical reads
     * @param maxCachedBytes bound of the cached pages, in serialized bytes
     * @param ticker         time source of the ttl
     * @param coalesce       share identical reads (off only to measure what sharing saves)
     */
    public ResumeReader(HistoryClient client, int pageSize, long maxMessages, Duration ttl, long maxCachedBytes,
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
        this.counts = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumSize(10_000)
                .ticker(ticker)
                .buildAsync();
    }

    /**
     * Starts replaying the messages of {@code room} in {@code (after, until)}; {@code after} is -1 to read from
     * the first.
     *
     * @param epoch the room's epoch (already checked against the client's)
     * @return the first page and the size of the whole gap, or why there is no replay; never completes
     *         exceptionally
     */
    public CompletableFuture<ResumeOutcome> start(String room, String epoch, long after, long until) {
        if (after + 1 >= until) {
            return CompletableFuture.completedFuture(ResumeOutcome.Recovered.all(List.of()));
        }
        if (!client.configured()) {
            return CompletableFuture.completedFuture(new ResumeOutcome.NotRecovered(RecoveryFailure.HISTORY_DISABLED));
        }
        return next(room, epoch, after, until)
                .thenCompose(first -> first.last() ? CompletableFuture.completedFuture(whole(first))
                        : count(room, epoch, after, until).thenApply(total -> counted(room, first, total)))
                .exceptionally(failure -> HistoryStatusMapper.resume(HistoryStatusMapper.status(failure)));
    }

    private ResumeOutcome whole(GapPage first) {
        if (first.messages().size() > maxMessages) {
            return new ResumeOutcome.NotRecovered(RecoveryFailure.TOO_FAR_BEHIND);
        }
        return new ResumeOutcome.Recovered(first, first.messages().size());
    }

    private ResumeOutcome counted(String room, GapPage first, long total) {
        if (total < first.messages().size()) {
            // A history service older than ReadRequest.count answers 0: it cannot say how long the replay is.
            LOG.warning("History did not count the resume gap of " + room + " (" + total + " < "
                    + first.messages().size() + " on the first page); upgrade the history service. TOO_FAR_BEHIND.");
            return new ResumeOutcome.NotRecovered(RecoveryFailure.TOO_FAR_BEHIND);
        }
        if (total > maxMessages) {
            return new ResumeOutcome.NotRecovered(RecoveryFailure.TOO_FAR_BEHIND);
        }
        return new ResumeOutcome.Recovered(first, total);
    }

    /**
     * Reads the page of {@code room}'s messages that follows {@code after}, below {@code until}.
     *
     * @return the page; fails with the history call's failure (map it with {@link HistoryStatusMapper})
     */
    public CompletableFuture<GapPage> next(String room, String epoch, long after, long until) {
        return Futures.started(() -> page(room, epoch, after, until))
                .thenApply(page -> gapPage(room, after, until, page));
    }

    private static GapPage gapPage(String room, long after, long until, Page page) {
        List<Envelope> messages = new ArrayList<>(page.response().getMessagesCount());
        long last = after;
        for (Envelope e : page.response().getMessagesList()) {
            long pos = e.getPosition().getOffset();
            if (pos <= last) {
                continue; // defensive: never twice, never backwards
            }
            if (pos >= until) {
                return new GapPage(messages, OptionalLong.empty());
            }
            messages.add(e);
            last = pos;
        }
        if (last + 1 >= until) {
            return new GapPage(messages, OptionalLong.empty());
        }
        if (page.response().getHasMore()) {
            if (last == after) {
                // has_more without progress would loop forever: treat as a broken answer.
                LOG.warning("History answered has_more with no message after " + after + " for " + room);
                throw Status.INTERNAL.withDescription("history made no progress").asRuntimeException();
            }
            return new GapPage(messages, OptionalLong.of(last));
        }
        if (page.until() != 0 && page.until() < until) {
            // The shared page was read for an earlier hand-over point: nothing stored in (after, page.until)
            // beyond its messages, but (page.until - 1, until) must still be read.
            // (A page is only read when after + 1 < its until, so this always makes progress.)
            return new GapPage(messages, OptionalLong.of(Math.max(last, page.until() - 1)));
        }
        return new GapPage(messages, OptionalLong.empty());
    }

    private CompletableFuture<Page> page(String room, String epoch, long after, long until) {
        if (!coalesce) {
            return read(room, epoch, after, until);
        }
        return pages.get(new PageKey(room, epoch, after, pageSize), (key, executor) -> read(room, epoch, after, until));
    }

    private CompletableFuture<Long> count(String room, String epoch, long after, long until) {
        if (!coalesce) {
            return readCount(room, epoch, after, until);
        }
        return counts.get(new CountKey(room, epoch, after, until), (key, executor) -> readCount(room, epoch, after,
                until));
    }

    private CompletableFuture<Page> read(String room, String epoch, long after, long until) {
        metrics.historyRead("resume");
        return call(request(room, epoch, after, until).setLimit(pageSize).build(), epoch)
                .thenApply(response -> new Page(response, until));
    }

    private CompletableFuture<Long> readCount(String room, String epoch, long after, long until) {
        metrics.historyRead("resume_count");
        // limit 1: the page itself is not used.
        return call(request(room, epoch, after, until).setLimit(1).setCount(true).build(), epoch)
                .thenApply(ReadResponse::getCount);
    }

    private static ReadRequest.Builder request(String room, String epoch, long after, long until) {
        return ReadRequest.newBuilder()
                .setRoom(room)
                .setDirection(ReadDirection.READ_AFTER)
                // after == -1: the client has seen nothing of the room yet; read from its first message.
                .setPosition(Math.max(after, 0))
                .setFromStart(after < 0)
                .setEpoch(epoch)
                .setUntil(until);
    }

    private CompletableFuture<ReadResponse> call(ReadRequest request, String epoch) {
        return client.readOrFail(request).handle((response, failure) -> {
            if (failure == null) {
                return response;
            }
            // NOT_FOUND is an answer (nothing stored), worth sharing like any page.
            Status status = HistoryStatusMapper.status(failure);
            if (status.getCode() == Status.Code.NOT_FOUND) {
                return ReadResponse.newBuilder().setEpoch(epoch).build();
            }
            throw status.asRuntimeException();
        });
    }
}
