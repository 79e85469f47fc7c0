package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import io.switchboard.gateway.limits.Cidr;
import io.switchboard.gateway.limits.LimitKeys;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connection caps on upgrades: per client address (taken from {@code X-Forwarded-For} because the loopback
 * peer is a trusted proxy here) answered 429, gateway-wide answered 503, both before any session exists; a place
 * comes back when its connection ends; a connected client goes on chatting meanwhile.
 */
class UpgradeCapsTest {
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> capped(c, 5));
    }

    /**
     * {@code c} with at most {@code maxConnections} connections and 2 per client address, the address taken from
     * {@code X-Forwarded-For} (the loopback peer is a trusted proxy), and upgraded sockets kept for a minute without
     * a Connect.
     */
    static void capped(io.switchboard.service.config.ConfigBuilder<GatewayConfig> c, int maxConnections) {
        // Upgraded test sockets never send Connect: keep them for the whole test.
        c.set(GatewayKeys.CONNECT_TIMEOUT, java.time.Duration.ofSeconds(60))
                .set(LimitKeys.MAX_CONNECTIONS, maxConnections)
                .set(LimitKeys.MAX_CONNECTIONS_PER_IP, 2)
                .set(LimitKeys.CLIENT_IP_HEADER, "X-Forwarded-For")
                .set(LimitKeys.CLIENT_IP_TRUSTED_PROXIES, List.of(Cidr.parse("127.0.0.1/32")));
    }

    /** Checks that the upgrade {@code open} makes is refused with {@code status} and a Retry-After. */
    static void assertRefused(Supplier<RawHttp> open, int status) {
        try (RawHttp refused = open.get()) {
            assertThat(refused.status).isEqualTo(status);
            assertThat(refused.header("Retry-After")).isPresent();
        }
    }

    /** Waits until an upgrade {@code open} makes is accepted again (a place came back) and adds it to {@code held}. */
    static void awaitAccepted(Supplier<RawHttp> open, List<RawHttp> held) {
        await().atMost(WAIT).until(() -> {
            RawHttp again = open.get();
            if (again.status == 101) {
                held.add(again);
                return true;
            }
            again.close();
            return false;
        });
    }

    private static RawHttp upgradeFrom(String client, Subprotocol sp) {
        return RawHttp.upgrade(h.wsUri(), sp.token(), Map.of("X-Forwarded-For", "192.0.2.200, " + client));
    }

    @Test
    void perAddressCapAnswers429AndTheGatewayCap503UntilAPlaceIsFree() throws Exception {
        List<RawHttp> held = new ArrayList<>();
        // The witness connects from the socket peer (no header): 127.0.0.1 holds one place.
        try (WsTestClient witness = h.connect(Subprotocol.JSON, "witness")) {
            String room = "caps-" + UUID.randomUUID();
            witness.subscribeAndWait(room, WAIT);
            double addressBefore = h.metric("gateway_limit_refusals_total{limit=\"address_connections\"}");
            double gatewayBefore = h.metric("gateway_limit_refusals_total{limit=\"gateway_connections\"}");

            held.add(upgradeFrom("198.51.100.1", Subprotocol.PROTO));
            held.add(upgradeFrom("198.51.100.1", Subprotocol.JSON));
            assertThat(held).extracting(r -> r.status).containsOnly(101);
            assertRefused(() -> upgradeFrom("198.51.100.1", Subprotocol.PROTO), 429);
            held.add(upgradeFrom("198.51.100.2", Subprotocol.PROTO));
            held.add(upgradeFrom("198.51.100.2", Subprotocol.JSON));
            assertThat(held).extracting(r -> r.status).containsOnly(101);
            assertRefused(() -> upgradeFrom("198.51.100.3", Subprotocol.JSON), 503);
            assertThat(h.metric("gateway_limit_refusals_total{limit=\"address_connections\"}") - addressBefore)
                    .isEqualTo(1);
            assertThat(h.metric("gateway_limit_refusals_total{limit=\"gateway_connections\"}") - gatewayBefore)
                    .isEqualTo(1);

            // The connected client is not affected.
            String id = "m-" + UUID.randomUUID();
            witness.publish(room, id, "still chatting");
            ServerFrame m = witness.nextMatching(f -> f.hasMessage() && f.getMessage().getId().equals(id), WAIT);
            assertThat(m.getMessage().getPayload().toStringUtf8()).isEqualTo("still chatting");

            // One address's connection ends: its place, and the gateway's, come back.
            held.remove(0).close();
            awaitAccepted(() -> upgradeFrom("198.51.100.1", Subprotocol.PROTO), held);
        } finally {
            held.forEach(RawHttp::close);
        }
    }
}
