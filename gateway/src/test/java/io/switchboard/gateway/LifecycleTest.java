package io.switchboard.gateway;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start failures are reported, not swallowed, and leave nothing running. No Kafka needed. */
class LifecycleTest {

    @Test
    void portInUseFailsStart() throws IOException {
        try (ServerSocket taken = new ServerSocket(0)) {
            GatewayServer gateway = GatewayServer.builder(GatewayConfig.builder()
                    .host("127.0.0.1").port(taken.getLocalPort())
                    .hs256Secret(GatewayHarness.SECRET).bootstrapServers("127.0.0.1:1").build()).build();
            assertThatThrownBy(gateway::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("could not bind");
            assertThatThrownBy(gateway::start).hasMessageContaining("already started");
            gateway.stop(Duration.ZERO);
        }
    }

    @Test
    void unreachableKafkaFailsStartWithinTheStartupTimeoutAndReleasesTheMetrics() throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        GatewayServer gateway = GatewayServer.builder(GatewayConfig.builder()
                .host("127.0.0.1").port(0).routers(List.of("127.0.0.1:1"))
                .startupTimeout(Duration.ofMillis(500))
                .hs256Secret(GatewayHarness.SECRET).bootstrapServers("127.0.0.1:1").build())
                .registry(registry).build();
        assertThatThrownBy(gateway::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Kafka topic 'switchboard.rooms' not described at 127.0.0.1:1");
        assertThat(gateway.isReady()).isFalse();
        // Metrics were unregistered: a new gateway can use the same registry.
        GatewayServer second = GatewayServer.builder(GatewayConfig.builder()
                .host("127.0.0.1").port(0).startupTimeout(Duration.ofMillis(200))
                .hs256Secret(GatewayHarness.SECRET).bootstrapServers("127.0.0.1:1").build())
                .registry(registry).build();
        assertThatThrownBy(second::start).hasMessageContaining("not described");
    }
}
