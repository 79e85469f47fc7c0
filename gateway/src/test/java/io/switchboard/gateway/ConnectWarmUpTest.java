package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.function.Consumer;

import io.switchboard.gateway.limits.LimitKeys;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.gateway.warmup.ConnectWarmUp;
import io.switchboard.gateway.warmup.StartupWarmUp;
import io.switchboard.gateway.warmup.WarmUpKeys;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.Test;

/**
 * The connect part of the start-up warm-up on a real gateway: before it reports ready, its loopback connections went
 * through the upgrade (let past the admission that refuses every other upgrade before ready), the Connect frame with
 * a token signed by the gateway's own secret and the close, and its metrics and log say so; clients are served as
 * usual afterwards. A connection the gateway refuses stops the warm-up with its close code.
 */
class ConnectWarmUpTest {

    @Test
    void connectionsReachConnectedAndCloseBeforeTheGatewayIsReady() throws Exception {
        try (LogCapture log = LogCapture.of(StartupWarmUp.class);
             GatewayHarness h = GatewayHarness.start(c -> c.set(WarmUpKeys.CONNECTS, 40))) {
            assertThat(h.gateway.isReady()).isTrue();
            assertThat(h.metric("gateway_warm_up_complete")).isEqualTo(1);
            // 40 in the first connect warm-up of this JVM, 20 when another test's came first (the code is compiled).
            int connected = (int) h.metric("gateway_warm_up_connects");
            assertThat(connected).isIn(20, 40);
            assertThat(h.metric("gateway_connections_opened_total")).isEqualTo(connected);
            assertThat(log.messages()).anyMatch(m -> m.contains("warmed its connect path up in")
                    && m.contains(connected + " of " + connected + " connections connected"));
            // Every warm-up connection is gone once the gateway has seen its close.
            await().atMost(WAIT).untilAsserted(() -> assertThat(h.metric("gateway_connections")).isZero());

            try (WsTestClient alice = h.connect(Subprotocol.JSON, "alice");
                 WsTestClient bob = h.connect(Subprotocol.PROTO, "bob")) {
                bob.subscribeAndWait("chat:after-connect-warm-up", WAIT);
                alice.publish("chat:after-connect-warm-up", "m-1", "hello");
                ServerFrame got = bob.nextMatching(ServerFrame::hasMessage, WAIT);
                assertThat(got.getMessage().getRoom()).isEqualTo("chat:after-connect-warm-up");
                assertThat(h.metric("gateway_connections")).isEqualTo(2);
            }
        }
    }

    @Test
    void theNettyListenerIsWarmedAsWellAndAdmitsTheWarmUpBeforeReady() throws Exception {
        try (LogCapture log = LogCapture.of(StartupWarmUp.class);
             GatewayHarness h = GatewayHarness.startWithNetty(c -> c.set(WarmUpKeys.CONNECTS, 40))) {
            // Complete: every connection on both listeners reached Connected, so the Netty listener let them in too.
            assertThat(h.metric("gateway_warm_up_complete")).isEqualTo(1);
            int connected = (int) h.metric("gateway_warm_up_connects");
            assertThat(connected).as("40 or 20 per listener (the second warm-up of this JVM)").isIn(40, 80);
            assertThat(log.messages()).anyMatch(m -> m.contains(connected + " of " + connected
                    + " connections connected"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(h.metric("gateway_connections")).isZero());
            // Afterwards the Netty listener serves clients as usual.
            String room = "chat:after-netty-warm-up";
            try (WsTestClient carol = WsTestClient.connected(h.nettyUri(), Subprotocol.JSON, h.token("carol"));
                 WsTestClient dave = WsTestClient.connected(h.nettyUri(), Subprotocol.PROTO, h.token("dave"))) {
                dave.subscribeAndWait(room, WAIT);
                carol.publish(room, "m-1", "hello");
                assertThat(dave.nextMatching(ServerFrame::hasMessage, WAIT).getMessage().getRoom()).isEqualTo(room);
            }
        }
    }

    @Test
    void theWarmUpsConnectionsTakeNoPlaceUnderTheConnectionCaps() throws Exception {
        // All the warm-up's connections come from one loopback address, 32 at once, and a closed one's place comes
        // back only when the transport reaper sees it: counted, they would pass a cap of 3 per address (429) or of 4
        // per gateway (503) and stop the warm-up. On both listeners.
        List<Consumer<ConfigBuilder<GatewayConfig>>> caps = List.of(c -> c.set(LimitKeys.MAX_CONNECTIONS_PER_IP, 3),
                c -> c.set(LimitKeys.MAX_CONNECTIONS, 4));
        for (int run = 0; run < 4; run++) {
            Consumer<ConfigBuilder<GatewayConfig>> tweaks = caps.get(run % 2).andThen(c -> c.set(WarmUpKeys.CONNECTS,
                    40));
            boolean netty = run >= 2;
            try (LogCapture log = LogCapture.of(StartupWarmUp.class);
                 GatewayHarness h = netty ? GatewayHarness.startWithNetty(tweaks) : GatewayHarness.start(tweaks)) {
                assertThat(h.metric("gateway_warm_up_complete")).as("run %d", run).isEqualTo(1);
                int connected = (int) h.metric("gateway_warm_up_connects");
                assertThat(connected).isIn(netty ? List.of(40, 80) : List.of(20, 40));
                assertThat(log.messages()).anyMatch(m -> m.contains(connected + " of " + connected
                        + " connections connected")).noneMatch(m -> m.contains("stopped early"));
                await().atMost(WAIT).untilAsserted(() -> assertThat(h.metric("gateway_connections")).isZero());
            }
        }
    }

    @Test
    void aConnectionTheGatewayRefusesStopsTheWarmUpWithItsCloseCode() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(c -> { })) {
            ConnectWarmUp.Result result = new ConnectWarmUp(List.of(h.wsUri()), "no pass needed once ready",
                    n -> "not-a-token", new ConnectWarmUp.Settings(10, WAIT)).run();
            assertThat(result.complete()).isFalse();
            assertThat(result.deadline()).isFalse();
            assertThat(result.connected()).isZero();
            assertThat(result.failure()).hasValueSatisfying(why -> assertThat(why).contains("closed 3500")
                    .contains("before Connected"));
        }
    }

    @Test
    void zeroConnectsTurnsItOff() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(c -> c.set(WarmUpKeys.CONNECTS, 0))) {
            assertThat(h.gateway.isReady()).isTrue();
            assertThat(h.metric("gateway_warm_up_seconds")).isZero();
            assertThat(h.metric("gateway_connections_opened_total")).isZero();
        }
    }
}
