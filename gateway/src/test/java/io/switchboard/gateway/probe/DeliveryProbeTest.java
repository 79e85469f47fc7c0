package io.switchboard.gateway.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.grpc.Status;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.fanout.FanoutMessage;
import io.switchboard.gateway.observe.Scrape;
import io.switchboard.gateway.routing.RouterClient;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishResponse;
import org.junit.jupiter.api.Test;

/**
 * The probe's bookkeeping with a scripted router and a hand-driven clock: what it counts for probes that come
 * back, do not come back or are not published, and for peers that appear, fall silent, expire or say goodbye.
 */
class DeliveryProbeTest {
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration EXPIRY = Duration.ofMinutes(2);
    private static final List<String> ROOMS = List.of("switchboard:probe-0", "switchboard:probe-7");

    private static final DeliveryProbe.Self SELF = new DeliveryProbe.Self() {
        @Override
        public int connections() {
            return 3;
        }

        @Override
        public boolean ready() {
            return true;
        }
    };

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ScriptedRouter router = new ScriptedRouter();
    private final DeliveryProbe probe = new DeliveryProbe("gw-a", ROOMS, router, new ProbeMetrics(registry),
            new DeliveryProbe.Settings(INTERVAL, TIMEOUT, EXPIRY, Duration.ofSeconds(1)), SELF, Clock.systemUTC(),
            now::get);

    @Test
    void aProbeBackInTimeIsALatencySampleAndProbesTakeTheRoomsInTurn() {
        probe.tick();
        advance(Duration.ofMillis(40));
        probe.deliver(asDelivered(router.published.getFirst()));

        assertThat(value("switchboard_delivery_probe_latency_seconds_count")).isEqualTo(1);
        assertThat(value("switchboard_delivery_probe_latency_seconds_sum")).isEqualTo(0.04);
        assertThat(value("switchboard_delivery_probe_latency_seconds_bucket{le=\"0.05\"}")).isEqualTo(1);
        assertThat(value("switchboard_delivery_probe_latency_seconds_bucket{le=\"0.025\"}")).isZero();
        assertThat(failures("lost", "gw-a")).isZero();
        assertThat(failures("publish_failed", "gw-a")).isZero();
        assertThat(probe.healthy()).isTrue();
        assertThat(probe.status().lastLatency()).contains(Duration.ofMillis(40));

        advance(INTERVAL);
        probe.tick();
        advance(INTERVAL);
        probe.tick();
        assertThat(router.published).extracting(Envelope::getRoom).containsExactly(ROOMS.get(0), ROOMS.get(1),
                ROOMS.get(0));
        Envelope first = router.published.getFirst();
        assertThat(first.getSender().getUserId()).isEqualTo("switchboard-probe");
        assertThat(first.getSender().getGatewayId()).isEqualTo("gw-a");
        assertThat(first.getPayload().toStringUtf8()).startsWith("switchboard-probe/1 ").endsWith(" 0 hello 3 ready gw-a");
    }

    @Test
    void aProbeNotBackWithinTheTimeoutIsLostAndALateArrivalIsIgnored() {
        probe.tick();
        Envelope late = router.published.getFirst();
        advance(TIMEOUT);
        probe.tick();
        assertThat(failures("lost", "gw-a")).as("exactly the timeout is not late yet").isZero();
        advance(Duration.ofMillis(1));
        probe.tick();
        assertThat(failures("lost", "gw-a")).isEqualTo(1);
        assertThat(probe.healthy()).isFalse();

        probe.deliver(asDelivered(late));
        assertThat(value("switchboard_delivery_probe_latency_seconds_count")).isZero();
        assertThat(probe.healthy()).isFalse();

        // The next probe that comes back makes it healthy again.
        probe.deliver(asDelivered(router.published.getLast()));
        assertThat(probe.healthy()).isTrue();
        assertThat(probe.status().failed()).isEqualTo(1);
        assertThat(probe.status().arrived()).isEqualTo(1);
    }

    @Test
    void aFailedPublishCountsOnceAndNotAsLostToo() {
        router.failNext = true;
        probe.tick();
        assertThat(failures("publish_failed", "gw-a")).isEqualTo(1);
        assertThat(probe.healthy()).isFalse();
        advance(TIMEOUT.multipliedBy(2));
        probe.tick();
        assertThat(failures("lost", "gw-a")).isZero();
    }

    @Test
    void peersAreDiscoveredFromTheirProbesCountedWhileSilentAndForgottenAfterTheExpiry() {
        probe.deliver(peerProbe("gw-b", 0, false));
        assertThat(failures("peer_missing", "gw-b")).as("starts at 0").isZero();
        assertThat(probe.status().peers()).containsOnlyKeys("gw-b");
        assertThat(probe.status().peers().get("gw-b").connections()).isEqualTo(7);
        assertThat(probe.status().peers().get("gw-b").ready()).isTrue();

        // Silent for interval + timeout: not yet missing; a moment later it is, at every tick.
        advance(INTERVAL.plus(TIMEOUT));
        probe.tick();
        assertThat(failures("peer_missing", "gw-b")).isZero();
        advance(Duration.ofMillis(1));
        probe.tick();
        advance(INTERVAL);
        probe.tick();
        assertThat(failures("peer_missing", "gw-b")).isEqualTo(2);

        // Heard again: no more counts.
        probe.deliver(peerProbe("gw-b", 9, false));
        advance(INTERVAL);
        probe.tick();
        assertThat(failures("peer_missing", "gw-b")).isEqualTo(2);

        // Silent past the expiry: forgotten, its series removed.
        advance(EXPIRY.plusSeconds(1));
        probe.tick();
        assertThat(failures("peer_missing", "gw-b")).isEqualTo(-1);
        assertThat(probe.status().peers()).isEmpty();
    }

    @Test
    void aPeersGoodbyeForgetsItAtOnceAndOurOwnLeaveSaysGoodbyeAndStopsProbing() {
        probe.deliver(peerProbe("gw-b", 0, false));
        probe.deliver(peerProbe("gw-b", 1, true));
        assertThat(probe.status().peers()).isEmpty();
        advance(INTERVAL.plus(TIMEOUT).multipliedBy(2));
        probe.tick();
        assertThat(failures("peer_missing", "gw-b")).isEqualTo(-1);

        probe.leave();
        Envelope bye = router.published.getLast();
        assertThat(bye.getPayload().toStringUtf8()).endsWith(" bye 3 unready gw-a");
        int published = router.published.size();
        probe.tick();
        assertThat(router.published).hasSize(published);
    }

    @Test
    void messagesThatAreNotProbesAndOurOwnIdFromAnotherProcessAreIgnored() {
        probe.tick();
        probe.deliver(delivered("switchboard:probe-0", "hello"));
        probe.deliver(delivered("switchboard:probe-0", "switchboard-probe/1 other-run 0 hello 0 ready gw-a"));
        assertThat(value("switchboard_delivery_probe_latency_seconds_count")).isZero();
        assertThat(probe.status().peers()).isEmpty();
    }

    private FanoutMessage peerProbe(String peer, long seq, boolean leaving) {
        return delivered(ROOMS.getFirst(), new ProbeMessage(peer, "0a0b0c0d", seq, leaving, 7, true).encode().toStringUtf8());
    }

    private static FanoutMessage asDelivered(Envelope e) {
        return delivered(e.getRoom(), e.getPayload().toStringUtf8());
    }

    private static FanoutMessage delivered(String room, String payload) {
        return new FanoutMessage(room, ServerFrame.newBuilder().setMessage(Message.newBuilder().setRoom(room)
                .setPayload(com.google.protobuf.ByteString.copyFromUtf8(payload))).build());
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private double value(String sample) {
        return Scrape.value(registry, sample);
    }

    private double failures(String reason, String origin) {
        return value("switchboard_delivery_probe_failures_total{origin=\"" + origin + "\",reason=\"" + reason + "\"}");
    }

    /** Accepts every publish at once, or fails the next one with UNAVAILABLE. */
    private static final class ScriptedRouter implements RouterClient {
        final List<Envelope> published = new CopyOnWriteArrayList<>();
        volatile boolean failNext;

        @Override
        public CompletableFuture<PublishResponse> publish(Envelope envelope, Duration timeout) {
            published.add(envelope);
            if (failNext) {
                failNext = false;
                return CompletableFuture.failedFuture(Status.UNAVAILABLE.asRuntimeException());
            }
            return CompletableFuture.completedFuture(PublishResponse.getDefaultInstance());
        }

        @Override
        public void close(Duration timeout) {
        }
    }
}
