package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayKeys.AUTH;
import static io.switchboard.gateway.GatewayKeys.HOST;
import static io.switchboard.gateway.GatewayKeys.PORT;
import static io.switchboard.gateway.GatewayKeys.ROUTERS;
import static io.switchboard.gateway.GatewayKeys.STARTUP_TIMEOUT;

import io.switchboard.service.KafkaKeys;
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
                    .set(HOST, "127.0.0.1").set(PORT, taken.getLocalPort())
                    .set(AUTH.hs256Secret, GatewayHarness.SECRET).set(KafkaKeys.BOOTSTRAP_SERVERS, "127.0.0.1:1")
                    .build()).build();
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
                .set(HOST, "127.0.0.1").set(PORT, 0).set(ROUTERS, List.of("127.0.0.1:1"))
                .set(STARTUP_TIMEOUT, Duration.ofMillis(500))
                .set(AUTH.hs256Secret, GatewayHarness.SECRET).set(KafkaKeys.BOOTSTRAP_SERVERS, "127.0.0.1:1").build())
                .registry(registry).build();
        assertThatThrownBy(gateway::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Kafka topic 'switchboard.rooms' not described at 127.0.0.1:1");
        assertThat(gateway.isReady()).isFalse();
        // Metrics were unregistered: a new gateway can use the same registry.
        GatewayServer second = GatewayServer.builder(GatewayConfig.builder()
                .set(HOST, "127.0.0.1").set(PORT, 0).set(STARTUP_TIMEOUT, Duration.ofMillis(200))
                .set(AUTH.hs256Secret, GatewayHarness.SECRET).set(KafkaKeys.BOOTSTRAP_SERVERS, "127.0.0.1:1").build())
                .registry(registry).build();
        assertThatThrownBy(second::start).hasMessageContaining("not described");
    }
}
