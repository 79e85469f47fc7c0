package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

import io.switchboard.gateway.ws.netty.NettyKeys;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A drain reaches the Netty listener's connections like the main port's (Drain, then close 3000), and the Netty
 * port stops accepting: a client trying it again goes elsewhere.
 */
class NettyDrainTest {
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(NettyKeys.PORT, 0));
    }

    @Test
    void drainClosesNettyConnectionsWith3000AndStopsAccepting() {
        URI netty = URI.create("ws://127.0.0.1:" + h.gateway.nettyPort().orElseThrow() + "/ws");
        try (WsTestClient c = WsTestClient.connected(netty, Subprotocol.JSON, h.token("drained"))) {
            c.subscribeAndWait("netty-drain", WAIT);
            h.gateway.drain(Duration.ofSeconds(10));
            ServerFrame drain = c.nextMatching(ServerFrame::hasDrain, WAIT);
            assertThat(drain.getDrain().getReconnectWithinMs()).isPositive();
            assertThat(c.awaitClose(WAIT).code()).isEqualTo(ErrorCode.SERVER_SHUTDOWN_VALUE);
            assertThat(h.gateway.connectionCount()).isZero();
        }
        assertThatThrownBy(() -> UpgradeProbe.status(netty, Subprotocol.PROTO.token()))
                .isInstanceOf(IOException.class);
    }
}
