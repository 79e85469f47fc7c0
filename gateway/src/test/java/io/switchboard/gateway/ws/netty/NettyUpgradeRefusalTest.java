package io.switchboard.gateway.ws.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.GatewayConfig;
import io.switchboard.gateway.GatewayKeys;
import io.switchboard.gateway.limits.EdgeLimits;
import io.switchboard.gateway.limits.LimitKeys;
import io.switchboard.gateway.limits.OriginPolicy;
import io.switchboard.gateway.ws.ConnectionHandler;
import io.switchboard.gateway.ws.ProtocolKeys;
import io.switchboard.gateway.ws.ProtocolMetrics;
import io.switchboard.gateway.ws.WsProtocols;
import io.switchboard.testkit.RawWebSocket;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty listener refuses upgrades before any session exists, as the main port does: 503 while the gateway is not
 * ready (its session factory not there yet, or not admitting), 403 for an origin outside the allow-list. A real
 * listener on a free port with the gateway's real edge limits and protocol table; only the gateway's readiness is
 * the test's.
 */
class NettyUpgradeRefusalTest {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private NettyWsListener listener;
    private EdgeLimits limits;
    private ProtocolMetrics protocolMetrics;

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.stop(Duration.ofSeconds(1));
        }
        if (limits != null) {
            limits.close();
        }
        if (protocolMetrics != null) {
            protocolMetrics.close();
        }
    }

    private URI start(GatewayConfig config, boolean admitting) {
        limits = EdgeLimits.from(config, registry);
        protocolMetrics = new ProtocolMetrics(registry);
        WsProtocols protocols = new WsProtocols(ProtocolKeys.table(config), ProtocolKeys.batchLimits(config),
                protocolMetrics);
        // A gateway that has not started its sessions yet: nothing may be opened.
        ConnectionHandler.Factory none = (subprotocol, sink) -> {
            throw new AssertionError("no session may open");
        };
        listener = NettyWsListener.start(new NettySettings("127.0.0.1", 0, "/ws", 131_072, 8_192,
                Duration.ofMinutes(1), Duration.ofSeconds(10)), new NettyWsListener.Gateway(
                () -> admitting ? none : null, pass -> admitting, protocols, limits, limits.capGate(() -> { })));
        return URI.create("ws://127.0.0.1:" + listener.port() + "/ws");
    }

    @Test
    void notReadyIsRefusedWith503() {
        URI ws = start(base().build(), false);
        assertThat(WsTestClient.connectRaw(ws, Subprotocol.PROTO.token()).handshakeStatus()).isEqualTo(503);
    }

    @Test
    void anOriginOutsideTheAllowListIsRefusedWith403() {
        URI ws = start(base().set(LimitKeys.ALLOWED_ORIGINS, List.of(OriginPolicy.Pattern.parse(
                "https://app.example.com"))).build(), true);
        assertThatThrownBy(() -> RawWebSocket.connect(ws, Subprotocol.PROTO.token(),
                Map.of("Origin", "https://evil.example.com")))
                .isInstanceOf(IOException.class).hasMessageContaining("403");
    }

    private static io.switchboard.service.config.ConfigBuilder<GatewayConfig> base() {
        return GatewayConfig.builder().set(GatewayKeys.AUTH.hs256Secret, "0123456789abcdef0123456789abcdef");
    }
}
