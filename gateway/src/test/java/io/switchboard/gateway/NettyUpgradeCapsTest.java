package io.switchboard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        h = GatewayHarness.startWithNetty(c -> UpgradeCapsTest.capped(c, 4));
    }

    private static RawHttp upgradeFrom(String client) {
        return RawHttp.upgrade(h.nettyUri(), Subprotocol.PROTO.token(),
                Map.of("X-Forwarded-For", "192.0.2.200, " + client));
    }

    @Test
    void bothListenersCountAgainstTheSameCaps() {
        List<RawHttp> held = new ArrayList<>();
        // The witness holds one of the gateway's four places, on the main port.
        try (WsTestClient witness = h.connect(Subprotocol.JSON, "witness")) {
            held.add(upgradeFrom("198.51.100.1"));
            held.add(upgradeFrom("198.51.100.1"));
            assertThat(held).extracting(r -> r.status).containsOnly(101);
            UpgradeCapsTest.assertRefused(() -> upgradeFrom("198.51.100.1"), 429);
            held.add(upgradeFrom("198.51.100.2"));
            assertThat(held).extracting(r -> r.status).containsOnly(101);
            UpgradeCapsTest.assertRefused(() -> upgradeFrom("198.51.100.3"), 503);
            held.remove(0).close();
            UpgradeCapsTest.awaitAccepted(() -> upgradeFrom("198.51.100.3"), held);
            assertThat(witness.isOpen()).isTrue();
        } finally {
            held.forEach(RawHttp::close);
        }
    }
}
