package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.switchboard.gateway.ws.netty.NettyKeys;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connection caps hold across both listeners: connections on the main port and on the Netty port count against
 * the same caps, and the Netty port answers 429 (per address) and 503 (gateway-wide) with {@code Retry-After} before
 * any session exists; a place comes back when its connection ends.
 */
class NettyUpgradeCapsTest {
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> {
            UpgradeCapsTest.capped(c, 4);
            c.set(NettyKeys.PORT, 0);
        });
    }

    private static RawHttp upgradeFrom(String client) {
        URI netty = URI.create("ws://127.0.0.1:" + h.gateway.nettyPort().orElseThrow() + "/ws");
        return RawHttp.upgrade(netty, Subprotocol.PROTO.token(), Map.of("X-Forwarded-For", "192.0.2.200, " + client));
    }

    @Test
    void bothListenersCountAgainstTheSameCaps() {
        List<RawHttp> held = new ArrayList<>();
        // The witness holds one of the gateway's four places, on the main port.
        try (WsTestClient witness = h.connect(Subprotocol.JSON, "witness")) {
            held.add(upgradeFrom("198.51.100.1"));
            held.add(upgradeFrom("198.51.100.1"));
            assertThat(held).extracting(r -> r.status).containsOnly(101);
            try (RawHttp third = upgradeFrom("198.51.100.1")) {
                assertThat(third.status).isEqualTo(429);
                assertThat(third.header("Retry-After")).isPresent();
            }
            held.add(upgradeFrom("198.51.100.2"));
            assertThat(held).extracting(r -> r.status).containsOnly(101);
            try (RawHttp beyond = upgradeFrom("198.51.100.3")) {
                assertThat(beyond.status).isEqualTo(503);
                assertThat(beyond.header("Retry-After")).isPresent();
            }
            held.remove(0).close();
            await().atMost(WAIT).until(() -> {
                RawHttp again = upgradeFrom("198.51.100.3");
                if (again.status == 101) {
                    held.add(again);
                    return true;
                }
                again.close();
                return false;
            });
            assertThat(witness.isOpen()).isTrue();
        } finally {
            held.forEach(RawHttp::close);
        }
    }
}
