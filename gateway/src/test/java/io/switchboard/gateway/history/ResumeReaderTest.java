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
    private static final class ScriptedHistory implements HistoryClient {
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
                    .setHasMore(after.size() > r.getLimit()).build());
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
        assertThat(positions(reader.missed("r", "e:0", 11, 15).join())).containsExactly(12L, 13L, 14L);
        assertThat(positions(reader.missed("r", "e:0", 11, 15).join())).containsExactly(12L, 13L, 14L);
        assertThat(history.reads).hasSize(2);
    }

    private static List<Long> positions(ResumeOutcome o) {
        assertThat(o).isInstanceOf(ResumeOutcome.Recovered.class);
        List<Long> out = new ArrayList<>();
        ((ResumeOutcome.Recovered) o).messages().forEach(e -> out.add(e.getPosition().getOffset()));
        return out;
    }

    @Test
    void aLaterCallerWithAFurtherHandOverContinuesPastTheSharedPage() {
        ScriptedHistory history = new ScriptedHistory();
        ResumeReader reader = reader(history, 100, 1000);
        assertThat(positions(reader.missed("r", "e:0", 11, 15).join())).containsExactly(12L, 13L, 14L);
        // Same first page (shared, read with until=15), then a continuation from 14 up to 20.
        assertThat(positions(reader.missed("r", "e:0", 11, 20).join())).containsExactly(12L, 13L, 14L, 15L, 16L,
                17L, 18L, 19L);
        // An earlier hand-over uses the shared pages but stops at its own point.
        assertThat(positions(reader.missed("r", "e:0", 11, 13).join())).containsExactly(12L);
        assertThat(history.reads).hasSize(2);
        assertThat(history.reads.get(1).getPosition()).isEqualTo(14);
        assertThat(history.reads.get(1).getUntil()).isEqualTo(20);
    }

    @Test
    void pagesUntilTheHandOverAndRefusesMoreThanTheMaximum() {
        ScriptedHistory history = new ScriptedHistory();
        assertThat(positions(reader(history, 3, 10).missed("r", "e:0", 9, 20).join()))
                .containsExactly(10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);
        assertThat(history.reads).hasSize(4);
        ResumeOutcome tooFar = reader(history, 3, 10).missed("r", "e:0", 9, 21).join();
        assertThat(tooFar).isEqualTo(new ResumeOutcome.NotRecovered(RecoveryFailure.TOO_FAR_BEHIND));
    }

    @Test
    void failuresAreMappedAndNotCached() {
        ScriptedHistory history = new ScriptedHistory();
        ResumeReader reader = reader(history, 100, 1000);
        history.failWith = Status.UNAVAILABLE;
        ResumeOutcome down = reader.missed("r", "e:0", 11, 15).join();
        assertThat(down).isInstanceOf(ResumeOutcome.Failed.class);
        assertThat(((ResumeOutcome.Failed) down).error().code())
                .isEqualTo(io.switchboard.proto.client.v1.ErrorCode.RECOVERY_UNAVAILABLE);
        history.failWith = Status.OUT_OF_RANGE;
        assertThat(reader.missed("r", "e:0", 11, 15).join())
                .isEqualTo(new ResumeOutcome.NotRecovered(RecoveryFailure.POSITION_EXPIRED));
        history.failWith = Status.FAILED_PRECONDITION;
        assertThat(reader.missed("r", "e:0", 11, 15).join())
                .isEqualTo(new ResumeOutcome.NotRecovered(RecoveryFailure.EPOCH_CHANGED));
        history.failWith = Status.NOT_FOUND;
        assertThat(positions(reader.missed("r", "e:0", 40, 45).join())).isEmpty();
        history.failWith = null;
        assertThat(positions(reader.missed("r", "e:0", 11, 15).join())).containsExactly(12L, 13L, 14L);
        assertThat(history.reads).hasSize(5);
    }

    @Test
    void withoutAHistoryServiceAPossibleGapIsReportedNotRetried() {
        ResumeReader reader = reader(HistoryClient.unconfigured(), 100, 1000);
        // The partition moved (another room's record would do): live, with recovered=false, not a retriable error
        // that no retry could ever cure.
        assertThat(reader.missed("r", "e:0", 11, 15).join())
                .isEqualTo(new ResumeOutcome.NotRecovered(RecoveryFailure.HISTORY_DISABLED));
        // Nothing can have been missed: recovered, no history needed.
        assertThat(positions(reader.missed("r", "e:0", 14, 15).join())).isEmpty();
    }
}
