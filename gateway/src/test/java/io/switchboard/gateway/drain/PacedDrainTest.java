package io.switchboard.gateway.drain;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The drain's pacing against fake connections: no sockets, no timing assertions. */
class PacedDrainTest {
    private static final Duration LONG = Duration.ofMinutes(1);

    /** A connection that records what the drain did to it, in order, into one shared log. */
    private static final class FakeConnection implements DrainTarget {
        final int id;
        final List<String> log;
        final List<FakeConnection> open;
        final AtomicInteger inFlight = new AtomicInteger();
        volatile int announcedMs = -1;

        FakeConnection(int id, List<String> log, List<FakeConnection> open) {
            this.id = id;
            this.log = log;
            this.open = open;
        }

        @Override
        public void announce(int reconnectWithinMs) {
            announcedMs = reconnectWithinMs;
            log.add("drain " + id);
        }

        @Override
        public int publishesInFlight() {
            return inFlight.get();
        }

        @Override
        public void close() {
            log.add("close " + id);
            open.remove(this);
        }
    }

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<FakeConnection> open = new CopyOnWriteArrayList<>();

    private List<FakeConnection> connections(int n) {
        List<FakeConnection> all = new ArrayList<>();
        IntStream.range(0, n).forEach(i -> all.add(new FakeConnection(i, log, open)));
        open.addAll(all);
        return all;
    }

    private PacedDrain drain(Duration timeout, int batchSize) {
        return new PacedDrain(new DrainSettings(timeout, batchSize, Duration.ofMillis(10), Duration.ofSeconds(5)),
                () -> List.copyOf(open), open::size, Clock.systemUTC());
    }

    @Test
    void everyConnectionGetsDrainThenCloseInBatches() throws Exception {
        List<FakeConnection> all = connections(25);
        PacedDrain drain = drain(LONG, 10);

        DrainReport report = drain.start().get(30, TimeUnit.SECONDS);

        assertThat(report.closed()).isEqualTo(25);
        assertThat(report.batches()).isEqualTo(3);
        assertThat(report.forced()).isZero();
        assertThat(open).isEmpty();
        for (FakeConnection c : all) {
            assertThat(c.announcedMs).isEqualTo(5000);
            assertThat(log.indexOf("drain " + c.id)).isLessThan(log.indexOf("close " + c.id)).isNotNegative();
        }
        DrainProgress progress = drain.progress();
        assertThat(progress.state()).isEqualTo("drained");
        assertThat(progress.closed()).isEqualTo(25);
        assertThat(progress.remaining()).isZero();
        assertThat(progress.toJson()).startsWith("{\"state\":\"drained\",\"remaining\":0,\"closed\":25,\"started\":\"");
    }

    @Test
    void aConnectionWithPublishesInFlightClosesOnlyAfterTheirAnswers() throws Exception {
        List<FakeConnection> all = connections(3);
        FakeConnection busy = all.get(1);
        busy.inFlight.set(2);
        PacedDrain drain = drain(LONG, 10);

        var done = drain.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> open.size() == 1);
        assertThat(open).containsExactly(busy);
        assertThat(log).contains("drain 1").doesNotContain("close 1");
        assertThat(done).isNotDone();
        assertThat(drain.progress().state()).isEqualTo("draining");

        busy.inFlight.set(0);
        DrainReport report = done.get(10, TimeUnit.SECONDS);
        assertThat(log).contains("close 1");
        assertThat(report.acksCompleted()).isEqualTo(2);
        assertThat(report.forced()).isZero();
    }

    @Test
    void aZeroTimeoutClosesEverythingAtOnceWithoutWaitingForAcks() throws Exception {
        List<FakeConnection> all = connections(7);
        all.get(3).inFlight.set(1);

        DrainReport report = drain(Duration.ZERO, 2).start().get(10, TimeUnit.SECONDS);

        assertThat(report.closed()).isEqualTo(7);
        assertThat(report.forced()).isEqualTo(7);
        assertThat(report.acksCutShort()).isEqualTo(1);
        assertThat(open).isEmpty();
        all.forEach(c -> assertThat(log.indexOf("drain " + c.id)).isLessThan(log.indexOf("close " + c.id)));
    }

    @Test
    void startsOnceAndReportsServingBefore() {
        connections(2);
        PacedDrain drain = drain(LONG, 10);
        assertThat(drain.progress()).isEqualTo(DrainProgress.serving(2));
        assertThat(drain.progress().toJson())
                .isEqualTo("{\"state\":\"serving\",\"remaining\":2,\"closed\":0,\"started\":null,\"elapsed_ms\":0}");
        drain.start();
        assertThatThrownBy(drain::start).isInstanceOf(IllegalStateException.class);
        drain.cancel();
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> new DrainSettings(LONG, 0, Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessage("gateway.drain.batch-size: 0 (expected: >= 1)");
        assertThatThrownBy(() -> new DrainSettings(LONG, 1, Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessageStartingWith("gateway.drain.batch-interval");
        assertThat(new DrainSettings(Duration.ofSeconds(10), 1, Duration.ofSeconds(1), Duration.ofSeconds(1))
                .forceAfter()).isEqualTo(Duration.ofSeconds(8));
    }
}
