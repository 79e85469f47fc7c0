package io.switchboard.router;

import static io.switchboard.router.RouterKeys.GRPC_PORT;
import static io.switchboard.router.RouterKeys.ID;
import static io.switchboard.router.RouterKeys.METRICS_PORT;
import static io.switchboard.router.RouterKeys.STARTUP_TIMEOUT;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.service.KafkaKeys;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Lifecycle rules that need no Kafka broker. */
class RouterServerStartupTest {
    @Test
    void failsStartupClearlyWhenKafkaIsUnreachable() throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        RouterConfig config = RouterConfig.builder().set(ID, "unreachable").set(GRPC_PORT, 0).set(METRICS_PORT, 0)
                .set(KafkaKeys.BOOTSTRAP_SERVERS, "127.0.0.1:" + closedPort()).set(STARTUP_TIMEOUT, Duration.ofSeconds(2))
                .build();
        RouterServer server = RouterServer.create(config, registry);
        try {
            assertThatThrownBy(server::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("did not answer within PT2S")
                    .hasMessageContaining("router.startup-timeout");

            assertThat(server.isReady()).isFalse();
            assertThat(registry.scrape().size()).as("metrics removed after a failed start").isZero();
            assertThatThrownBy(server::start).hasMessageContaining("already started");
            assertThatThrownBy(server::port).hasMessageContaining("not started");
        } finally {
            server.close();
        }
    }

    @Test
    void aServerNeverStartedReportsNoPortAndClosesQuietly() {
        RouterServer server = RouterServer.create(RouterConfig.builder().build(), new PrometheusRegistry());

        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
        server.close();
        server.close();
        assertThatThrownBy(server::start).hasMessageContaining("already started");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
