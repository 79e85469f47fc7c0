package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import io.switchboard.gateway.probe.ProbeRooms;
import io.switchboard.gateway.warmup.StartupWarmUp;
import io.switchboard.gateway.warmup.WarmUpKeys;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.Test;

/**
 * The start-up warm-up on a real gateway (real Kafka, a router that writes to it): before the gateway reports ready
 * its messages went through the router into the probe rooms and came back through the fan-out, and its metrics and
 * log say so; a warm-up that cannot publish is logged as a warning and the gateway starts all the same; one stopped
 * by its deadline is logged at INFO (a slow machine's normal case); {@code 0} turns it off.
 */
class WarmUpTest {

    @Test
    void messagesGoThroughTheRouterIntoTheProbeRoomsBeforeTheGatewayIsReady() throws Exception {
        try (LogCapture log = LogCapture.of(StartupWarmUp.class);
             GatewayHarness h = GatewayHarness.start(c -> c.set(WarmUpKeys.MESSAGES, 200))) {
            // start() returned: the gateway reports ready, so the warm-up is over.
            assertThat(h.gateway.isReady()).isTrue();
            assertThat(h.metric("gateway_warm_up_complete")).isEqualTo(1);
            List<Envelope> warmUp = h.router.received().stream()
                    .filter(e -> e.getSender().getUserId().equals("switchboard-warm-up")).toList();
            // 200 in the first warm-up of this JVM, fewer when another test's came first (the code is compiled).
            assertThat(warmUp).isNotEmpty().hasSizeLessThanOrEqualTo(200)
                    .allSatisfy(e -> assertThat(e.getRoom()).startsWith(ProbeRooms.PREFIX));
            assertThat(h.metric("gateway_warm_up_messages")).isEqualTo(warmUp.size());
            assertThat(h.metric("gateway_warm_up_seconds")).isPositive();
            assertThat(log.messages()).anyMatch(m -> m.contains("warmed up in")
                    && m.contains(warmUp.size() + " of " + warmUp.size() + " messages acknowledged")
                    && m.contains(2 * warmUp.size() + " deliveries back"));

            // Clients are served as usual afterwards, and see none of it.
            try (WsTestClient alice = h.connect(Subprotocol.JSON, "alice");
                 WsTestClient bob = h.connect(Subprotocol.PROTO, "bob")) {
                bob.subscribeAndWait("chat:after-warm-up", WAIT);
                alice.publish("chat:after-warm-up", "m-1", "hello");
                ServerFrame got = bob.nextMatching(ServerFrame::hasMessage, WAIT);
                assertThat(got.getMessage().getRoom()).isEqualTo("chat:after-warm-up");
            }
        }
    }

    @Test
    void aWarmUpThatCannotPublishIsLoggedAndTheGatewayStartsAllTheSame() throws Exception {
        try (LogCapture log = LogCapture.of(StartupWarmUp.class);
             GatewayHarness h = GatewayHarness.start(c -> c.set(WarmUpKeys.MESSAGES, 200)
                     .set(WarmUpKeys.MAX_DURATION, Duration.ofSeconds(10))
                     .set(GatewayKeys.ROUTERS, List.of("127.0.0.1:1")))) {
            assertThat(h.gateway.isReady()).isTrue();
            assertThat(h.metric("gateway_warm_up_complete")).isZero();
            assertThat(h.metric("gateway_warm_up_messages")).isZero();
            assertThat(log.records()).anySatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.WARNING);
                assertThat(r.getMessage()).contains("stopped early").contains("ready all the same");
            });
        }
    }

    @Test
    void aWarmUpStoppedByItsDeadlineIsLoggedAtInfoNotAsAWarning() throws Exception {
        // A deadline of 1 ns passes before the first answer can come back: the warm-up stops there, nothing failed.
        try (LogCapture log = LogCapture.of(StartupWarmUp.class);
             GatewayHarness h = GatewayHarness.start(c -> c.set(WarmUpKeys.MESSAGES, 1_000)
                     .set(WarmUpKeys.MAX_DURATION, Duration.ofNanos(1)))) {
            assertThat(h.gateway.isReady()).isTrue();
            assertThat(h.metric("gateway_warm_up_complete")).isZero();
            List<LogRecord> warmUp = log.records().stream()
                    .filter(r -> r.getMessage().contains("warmed up in")).toList();
            assertThat(warmUp).singleElement().satisfies(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.INFO);
                assertThat(r.getMessage()).contains("stopped at its deadline").contains("not done within");
            });
        }
    }

    @Test
    void zeroMessagesTurnsItOff() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(c -> c.set(WarmUpKeys.MESSAGES, 0))) {
            assertThat(h.gateway.isReady()).isTrue();
            assertThat(h.metric("gateway_warm_up_seconds")).isZero();
            assertThat(h.router.received()).isEmpty();
        }
    }
}
