package io.switchboard.history;

import static io.switchboard.history.HistoryKeys.GRPC_TLS;
import static io.switchboard.testkit.tls.TlsFixture.assertCertificateRequired;
import static io.switchboard.testkit.tls.TlsFixture.assertRefusedAtConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.kafka.embedded.EmbeddedKafkaExtension;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;
import io.switchboard.proto.internal.v1.ReadDirection;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.testkit.tls.TlsFixture;
import io.switchboard.testkit.tls.TlsFixture.Caller;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The history service with {@code history.grpc.tls.*} set, probed over loopback TLS. */
class HistoryMutualTlsTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path dir;

    @AutoClose
    private TlsFixture tls;
    @AutoClose
    private HistoryServer server;

    @BeforeEach
    void certificates() {
        tls = TlsFixture.create(dir.resolve("certificates"));
    }

    @Test
    void requireRefusesCallersWithoutACertificateOfItsAuthority() {
        server = start(HistoryConfig.builder(), "history.tls.require");

        assertServed(() -> read(Caller.CERTIFIED));
        assertRefusedAtConnection(() -> read(Caller.NO_CERTIFICATE));
        assertRefusedAtConnection(() -> read(Caller.OTHER_AUTHORITY));
        assertRefusedAtConnection(() -> read(Caller.PLAINTEXT));
    }

    @Test
    void optionalStillRefusesHistoryServiceCallsWithoutACertificate() {
        server = start(HistoryConfig.builder().parse(GRPC_TLS.clientAuth.name(), "optional"), "history.tls.optional");

        assertCertificateRequired(() -> read(Caller.NO_CERTIFICATE));
        // The handshake lets an unverified certificate through with optional; the check refuses its caller.
        assertCertificateRequired(() -> read(Caller.OTHER_AUTHORITY));
        assertServed(() -> read(Caller.CERTIFIED));
    }

    /** The history service itself answered: the room is empty. */
    private static void assertServed(org.assertj.core.api.ThrowableAssert.ThrowingCallable read) {
        assertThatThrownBy(read).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(e.getStatus().getDescription()).isEqualTo("room chat:lobby has no stored message");
        });
    }

    private HistoryServer start(ConfigBuilder<HistoryConfig> builder, String topic) {
        KAFKA.kafka().createTopic(topic, 1, (short) 1);
        HistoryConfig config = tls.serving(builder, GRPC_TLS)
                .set(HistoryKeys.ID, "h-tls").set(HistoryKeys.GRPC_PORT, 0)
                .set(HistoryKeys.METRICS_PORT, -1).set(HistoryKeys.DATA_DIR, dir.resolve("data"))
                .set(KafkaKeys.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers()).set(KafkaKeys.TOPIC_NAME, topic)
                .set(HistoryKeys.STARTUP_TIMEOUT, Duration.ofSeconds(20))
                .set(HistoryKeys.SHUTDOWN_GRACE, Duration.ofSeconds(1)).build();
        HistoryServer started = HistoryServer.create(config, new PrometheusRegistry(), InstantSource.system());
        started.start();
        return started;
    }

    private ReadResponse read(Caller caller) {
        return HistoryServiceGrpc.newBlockingStub(tls.channel(server.port(), caller))
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .read(ReadRequest.newBuilder().setRoom("chat:lobby").setDirection(ReadDirection.READ_LATEST)
                        .setLimit(10).build());
    }
}
