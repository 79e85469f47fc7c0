package io.switchboard.presence;

import static io.switchboard.presence.PresenceKeys.GRPC_TLS;
import static io.switchboard.testkit.tls.TlsFixture.assertCertificateRequired;
import static io.switchboard.testkit.tls.TlsFixture.assertRefusedAtConnection;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.kafka.embedded.EmbeddedKafkaExtension;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import io.switchboard.proto.internal.v1.UserPresenceResponse;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.testkit.tls.TlsFixture;
import io.switchboard.testkit.tls.TlsFixture.Caller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The presence service with {@code presence.grpc.tls.*} set, probed over loopback TLS. */
class PresenceMutualTlsTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path certificates;

    @AutoClose
    private TlsFixture tls;
    @AutoClose
    private PresenceServer server;

    @BeforeEach
    void certificates() {
        tls = TlsFixture.create(certificates);
    }

    @Test
    void requireRefusesCallersWithoutACertificateOfItsAuthority() {
        server = start(PresenceConfig.builder(), "presence.tls.require");

        assertThat(lookup(Caller.CERTIFIED).getUsersCount()).isEqualTo(1);
        assertRefusedAtConnection(() -> lookup(Caller.NO_CERTIFICATE));
        assertRefusedAtConnection(() -> lookup(Caller.OTHER_AUTHORITY));
        assertRefusedAtConnection(() -> lookup(Caller.PLAINTEXT));
    }

    @Test
    void optionalStillRefusesPresenceServiceCallsWithoutACertificate() {
        server = start(PresenceConfig.builder().parse(GRPC_TLS.clientAuth.name(), "optional"),
                "presence.tls.optional");

        assertCertificateRequired(() -> lookup(Caller.NO_CERTIFICATE));
        // The handshake lets an unverified certificate through with optional; the check refuses its caller.
        assertCertificateRequired(() -> lookup(Caller.OTHER_AUTHORITY));
        assertThat(lookup(Caller.CERTIFIED).getUsersCount()).isEqualTo(1);
    }

    private PresenceServer start(ConfigBuilder<PresenceConfig> builder, String topic) {
        PresenceConfig config = tls.serving(builder, GRPC_TLS)
                .set(PresenceKeys.ID, "p-tls").set(PresenceKeys.GRPC_PORT, 0)
                .set(PresenceKeys.METRICS_PORT, -1)
                .set(KafkaKeys.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers()).set(KafkaKeys.PRESENCE_TOPIC_NAME, topic)
                .set(KafkaKeys.PRESENCE_TOPIC_PARTITIONS, 1).set(PresenceKeys.STARTUP_TIMEOUT, Duration.ofSeconds(20))
                .set(PresenceKeys.SHUTDOWN_GRACE, Duration.ofSeconds(1)).build();
        PresenceServer started = PresenceServer.create(config, new PrometheusRegistry());
        started.start();
        return started;
    }

    private UserPresenceResponse lookup(Caller caller) {
        return PresenceServiceGrpc.newBlockingStub(tls.channel(server.port(), caller))
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .userPresence(UserPresenceRequest.newBuilder().addUserIds("alice").build());
    }
}
