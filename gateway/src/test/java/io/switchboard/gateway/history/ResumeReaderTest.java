package io.switchboard.gateway.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

import io.grpc.Status;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Position;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coalescing replay reader against a scripted history (the seam below gRPC): callers with different hand-over
 * points share pages yet each gets exactly its own range; failures are not cached.
 */
class ResumeReaderTest {
    private final GatewayMetrics metrics = new GatewayMetrics(new PrometheusRegistry());

    @AfterEach
    void close() {
        metrics.close();
    }

    /** A store holding positions 10..29 of one room, or failing every read with {@code failWith}. */
    private static class ScriptedHistory implements HistoryClient {
        final List<ReadRequest> reads = new CopyOnWriteArrayList<>();
        volatile Status failWith;

        @Override
        public CompletableFuture<ReadResponse> read(ReadRequest r) {
            reads.add(r);
            if (failWith != null) {
                return CompletableFuture.failedFuture(failWith.asRuntimeException());
            }
            List<Envelope> after = LongStream.range(10, 30)
                    .filter(p -> p > r.getPosition() && (r.getUntil() == 0 || p < r.getUntil()))
                    .mapToObj(p -> Envelope.newBuilder().setId("m" + p).setRoom(r.getRoom())
                            .setPosition(Position.newBuilder().setEpoch("e:0").setOffset(p)).build())
                    .toList();
            return CompletableFuture.completedFuture(ReadResponse.newBuilder().setEpoch("e:0")
                    .addAllMessages(after.subList(0, Math.min(r.getLimit(), after.size())))
                    .setHasMore(after.size() > r.getLimit())
                    .setCount(r.getCount() ? after.size() : 0).build());
        }

        @Override
        public void close(Duration timeout) {
        }
    }

    private ResumeReader reader(HistoryClient client, int pageSize, int maxMessages) {
        return new ResumeReader(client, pageSize, maxMessages, Duration.ofMinutes(1), 1 << 20, metrics,
                com.github.benmanes.caffeine.cache.Ticker.systemTicker(), true);
    }

    @Test
    void withCoalescingOffEveryCallerReadsForItself() {
        ScriptedHistory history = new ScriptedHistory();
        ResumeReader reader = new ResumeReader(history, 100, 1000, Duration.ofMinutes(1), 1 << 20, metrics,
                com.github.benmanes.caffeine.cache.Ticker.systemTicker(), false);
        assertThat(missed(reader, 11, 15)).containsExactly(12L, 13L, 14L);
        assertThat(missed(reader, 11, 15)).containsExactly(12L, 13L, 14L);
        assertThat(history.reads).hasSize(2);
    }

    /** Every message of {@code (after, until)}: the first page from start(), the rest page by page. */
    private static List<Long> missed(ResumeReader reader, long after, long until) {
        ResumeOutcome o = reader.start("r", "e:0", after, until).join();
        assertThat(o).isInstanceOf(ResumeOutcome.Recovered.class);
        ResumeOutcome.Recovered recovered = (ResumeOutcome.Recovered) o;
        List<Long> out = new ArrayList<>();
        GapPage page = recovered.first();
        while (true) {
            page.messages().forEach(e -> out.add(e.getPosition().getOffset()));
            if (page.last()) {
                break;
            }
            page = reader.next("r", "e:0", page.continueAfter().getAsLong(), until).join();
        }
        assertThat(recovered.replayed()).as("the count Subscribed announces").isEqualTo(out.size());
        return out;
    }

    @Test
    void aLaterCallerWithAFurtherHandOverContinuesPastTheSharedPage() {
        ScriptedHistory history = new ScriptedHistory();
        ResumeReader reader = reader(history, 100, 1000);
        assertThat(missed(reader, 11, 15)).containsExactly(12L, 13L, 14L);
        // Same first page (shared, read with until=15), a count (the gap goes on past it), then a continuation
        // from 14 up to 20.
        assertThat(missed(reader, 11, 20)).containsExactly(12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
        // An earlier hand-over uses the shared pages but stops at its own point.
        assertThat(missed(reader, 11, 13)).containsExactly(12L);
        assertThat(history.reads).hasSize(3);
        assertThat(history.reads.get(1).getCount()).isTrue();
        assertThat(history.reads.get(1).getUntil()).isEqualTo(20);
        assertThat(history.reads.get(2).getPosition()).isEqualTo(14);
        assertThat(history.reads.get(2).getUntil()).isEqualTo(20);
    }

    @Test
    void pagesUntilTheHandOverOnePageAtATimeAndRefusesMoreThanTheMaximum() {
        ScriptedHistory history = new ScriptedHistory();
        ResumeReader reader = reader(history, 3, 10);
        ResumeOutcome started = reader.start("r", "e:0", 9, 20).join();
        // One page read and one count: nothing more until the caller asks for the next page.
        assertThat(history.reads).hasSize(2);
        assertThat(((ResumeOutcome.Recovered) started).replayed()).isEqualTo(10);
        assertThat(missed(reader(history, 3, 10), 9, 20))
                .containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
        ResumeOutcome tooFar = reader(history, 3, 10).start("r", "e:0", 9, 21).join();
        assertThat(tooFar).isEqualTo(new ResumeOutcome.NotRecovered(RecoveryFailure.TOO_FAR_BEHIND));
    }

    @Test
    void aHistoryServiceThatDoesNotCountLeavesALongGapTooFarBehind() {
        ScriptedHistory history = new ScriptedHistory() {
            @Override
            public CompletableFuture<ReadResponse> read(ReadRequest r) {
                return super.read(r).thenApply(response -> response.toBuilder().clearCount().build());
            }
        };
        assertThat(reader(history, 3, 1000).start("r", "e:0", 9, 20).join())
                .isEqualTo(new ResumeOutcome.NotRecovered(RecoveryFailure.TOO_FAR_BEHIND));
        assertThat(missed(reader(history, 3, 1000), 9, 12)).as("one page needs no count").containsExactly(10L, 11L);
    }

    @Test
    void failuresAreMappedAndNotCached() {
        ScriptedHistory history = new ScriptedHistory();
        ResumeReader reader = reader(history, 100, 1000);
        history.failWith = Status.UNAVAILABLE;
        ResumeOutcome down = reader.start("r", "e:0", 11, 15).join();
        assertThat(down).isInstanceOf(ResumeOutcome.Failed.class);
        assertThat(((ResumeOutcome.Failed) down).error().code())
                .isEqualTo(io.switchboard.proto.client.v1.ErrorCode.RECOVERY_UNAVAILABLE);
        history.failWith = Status.OUT_OF_RANGE;
        assertThat(reader.start("r", "e:0", 11, 15).join())
                .isEqualTo(new ResumeOutcome.NotRecovered(RecoveryFailure.POSITION_EXPIRED));
        history.failWith = Status.FAILED_PRECONDITION;
        assertThat(reader.start("r", "e:0", 11, 15).join())
                .isEqualTo(new ResumeOutcome.NotRecovered(RecoveryFailure.EPOCH_CHANGED));
        history.failWith = Status.NOT_FOUND;
        assertThat(missed(reader, 40, 45)).isEmpty();
        history.failWith = null;
        assertThat(missed(reader, 11, 15)).containsExactly(12L, 13L, 14L);
        assertThat(history.reads).hasSize(5);
    }

    @Test
    void withoutAHistoryServiceAPossibleGapIsReportedNotRetried() {
        ResumeReader reader = reader(HistoryClient.unconfigured(), 100, 1000);
        // The partition moved (another room's record would do): live, with recovered=false, not a retriable error
        // that no retry could ever cure.
        assertThat(reader.start("r", "e:0", 11, 15).join())
                .isEqualTo(new ResumeOutcome.NotRecovered(RecoveryFailure.HISTORY_DISABLED));
        // Nothing can have been missed: recovered, no history needed.
        assertThat(missed(reader, 14, 15)).isEmpty();
    }
}
