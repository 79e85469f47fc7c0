package io.switchboard.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.ws.OutboundFrame;
import org.junit.jupiter.api.Test;

/** Conflated delivery with a manual clock and timer: at most one message per interval, always the latest. */
class ConflatorTest {
    private static final long INTERVAL = 1_000_000_000L / 4; // max-rate 4

    /** Time and the timer's tasks, moved by the test only. */
    private static final class ManualTime implements Conflator.Delay {
        long now = 1_000;
        final List<Long> dueAt = new ArrayList<>();
        final List<Runnable> tasks = new ArrayList<>();
        final List<CompletableFuture<Void>> futures = new ArrayList<>();

        @Override
        public Future<?> after(long nanos, Runnable task) {
            dueAt.add(now + nanos);
            tasks.add(task);
            CompletableFuture<Void> f = new CompletableFuture<>();
            futures.add(f);
            return f;
        }

        /** Moves time to {@code at} and runs the tasks due by then that were not cancelled. */
        void advanceTo(long at) {
            now = at;
            for (int i = 0; i < tasks.size(); i++) {
                if (dueAt.get(i) <= now && !futures.get(i).isDone()) {
                    futures.get(i).complete(null);
                    tasks.get(i).run();
                }
            }
        }
    }

    private final ManualTime time = new ManualTime();
    private final List<String> queued = new ArrayList<>();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final GatewayMetrics metrics = new GatewayMetrics(registry);
    private final Conflator conflator = conflator(new ConflationPolicy(Map.of("ticker", 4)));

    private Conflator conflator(ConflationPolicy policy) {
        return new Conflator(policy, time, () -> time.now, f -> queued.add(f.text()), metrics::conflation);
    }

    /** The value of counter {@code name} for namespace "ticker", as a scrape reads it. */
    private double counter(String name) {
        return registry.scrape().stream().filter(s -> s.getMetadata().getPrometheusName().equals(name))
                .flatMap(s -> s.getDataPoints().stream())
                .map(CounterSnapshot.CounterDataPointSnapshot.class::cast)
                .filter(p -> "ticker".equals(p.getLabels().get("namespace")))
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
    }

    private static OutboundFrame frame(String text) {
        return OutboundFrame.text(text, "message");
    }

    @Test
    void theFirstMessageGoesAtOnceThenAtMostOnePerIntervalAlwaysTheLatest() {
        conflator.track("ticker:btc");
        assertThat(conflator.offer("ticker:btc", "", frame("p1"))).isTrue();
        assertThat(queued).containsExactly("p1");

        time.now += INTERVAL / 4;
        conflator.offer("ticker:btc", "", frame("p2"));
        time.now += INTERVAL / 4;
        conflator.offer("ticker:btc", "", frame("p3"));
        assertThat(queued).as("held until the slot").containsExactly("p1");
        assertThat(time.dueAt).containsExactly(1_000 + INTERVAL);

        time.advanceTo(1_000 + INTERVAL);
        assertThat(queued).as("the latest of the held ones").containsExactly("p1", "p3");

        time.now += INTERVAL; // a quiet slot: the next message goes at once
        conflator.offer("ticker:btc", "", frame("p4"));
        assertThat(queued).containsExactly("p1", "p3", "p4");
        assertThat(time.tasks).hasSize(1);
    }

    @Test
    void aLateTimerDoesNotLetAnOlderMessageOvertakeANewerOne() {
        conflator.track("ticker:btc");
        conflator.offer("ticker:btc", "", frame("p1"));
        time.now += INTERVAL / 2;
        conflator.offer("ticker:btc", "", frame("p2")); // held, flush due at the slot
        time.now += INTERVAL; // the timer is late: p3 finds the slot open and goes, p2 is dropped
        conflator.offer("ticker:btc", "", frame("p3"));
        time.advanceTo(time.now);
        assertThat(queued).containsExactly("p1", "p3");
    }

    @Test
    void roomsOfOtherNamespacesAreNotTouched() {
        conflator.track("chat:lobby");
        assertThat(conflator.offer("chat:lobby", "", frame("m"))).isFalse();
        assertThat(conflator.offer("ticker:eth", "", frame("m"))).as("not subscribed, not tracked").isFalse();
        assertThat(queued).isEmpty();
    }

    @Test
    void leavingTheRoomOrClosingDropsWhatIsHeld() {
        conflator.track("ticker:btc");
        conflator.track("ticker:eth");
        conflator.offer("ticker:btc", "", frame("b1"));
        conflator.offer("ticker:eth", "", frame("e1"));
        conflator.offer("ticker:btc", "", frame("b2"));
        conflator.offer("ticker:eth", "", frame("e2"));
        conflator.forget("ticker:btc");
        assertThat(time.futures.getFirst()).isCancelled();
        conflator.clear();
        time.advanceTo(time.now + INTERVAL);
        assertThat(queued).containsExactly("b1", "e1");
        assertThat(conflator.offer("ticker:btc", "", frame("b3"))).isFalse();
    }

    @Test
    void eachKeyOfARoomHasItsOwnSlotAndMessagesWithoutAKeyShareTheRoomsSlot() {
        conflator.track("ticker:prices");
        conflator.offer("ticker:prices", "btc", frame("btc1"));
        conflator.offer("ticker:prices", "eth", frame("eth1"));
        conflator.offer("ticker:prices", "", frame("room1"));
        assertThat(queued).as("each slot's first message goes at once").containsExactly("btc1", "eth1", "room1");

        time.now += INTERVAL / 4;
        conflator.offer("ticker:prices", "btc", frame("btc2"));
        conflator.offer("ticker:prices", "eth", frame("eth2"));
        conflator.offer("ticker:prices", "btc", frame("btc3"));
        conflator.offer("ticker:prices", "", frame("room2"));
        conflator.offer("ticker:prices", "eth", frame("eth3"));
        assertThat(queued).as("held until their slots").hasSize(3);

        time.advanceTo(1_000 + INTERVAL);
        assertThat(queued).as("the latest of each key, none replaced by another key's")
                .containsExactly("btc1", "eth1", "room1", "btc3", "eth3", "room2");
        assertThat(counter("gateway_conflation_delivered")).isEqualTo(6);
        assertThat(counter("gateway_conflation_replaced")).as("btc2 and eth2").isEqualTo(2);
    }

    @Test
    void beyondTheKeyBoundIdleKeysAreForgottenElseTheRoomsSlotIsShared() {
        Conflator bounded = conflator(new ConflationPolicy(Map.of("ticker", 4), 2));
        bounded.track("ticker:prices");
        bounded.offer("ticker:prices", "a", frame("a1"));
        bounded.offer("ticker:prices", "b", frame("b1"));
        time.now += INTERVAL / 4;
        bounded.offer("ticker:prices", "a", frame("a2")); // held: slot a is busy
        bounded.offer("ticker:prices", "c", frame("c1")); // a and b busy: c goes to the room's slot
        bounded.offer("ticker:prices", "d", frame("d1")); // so does d, and d is the room slot's first message
        assertThat(queued).containsExactly("a1", "b1", "c1");
        time.advanceTo(1_000 + INTERVAL);
        assertThat(queued).containsExactly("a1", "b1", "c1", "a2");
        time.advanceTo(1_000 + INTERVAL + INTERVAL / 4);
        assertThat(queued).as("the room's slot opened after c1's interval").containsExactly("a1", "b1", "c1", "a2", "d1");
        assertThat(counter("gateway_conflation_key_overflows")).isEqualTo(2);
        assertThat(counter("gateway_conflation_replaced")).as("c1 went at once; d1 was held").isZero();

        // Slot b held nothing and its interval passed: a new key forgets it and gets a slot of its own.
        time.now += 2 * INTERVAL;
        bounded.offer("ticker:prices", "a", frame("a3"));
        bounded.offer("ticker:prices", "e", frame("e1"));
        time.now += INTERVAL / 4;
        bounded.offer("ticker:prices", "e", frame("e2"));
        bounded.offer("ticker:prices", "", frame("room1"));
        assertThat(queued).endsWith("a3", "e1", "room1");
        assertThat(counter("gateway_conflation_key_overflows")).as("e found an idle slot").isEqualTo(2);
    }

    @Test
    void ratesAreChecked() {
        assertThatThrownBy(() -> new ConflationPolicy(Map.of("ticker", 4), 0))
                .hasMessageContaining("expected: >= 1");
        assertThatThrownBy(() -> new ConflationPolicy(Map.of("ticker", 0))).hasMessageContaining("expected: 1-1000");
        assertThat(new ConflationPolicy(Map.of("ticker", 10)).intervalNanos("ticker:btc")).isEqualTo(100_000_000L);
        assertThat(new ConflationPolicy(Map.of("ticker", 10)).intervalNanos("tickers:btc")).isZero();
        assertThat(ConflationPolicy.NONE.isEmpty()).isTrue();
    }
}
