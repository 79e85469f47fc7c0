package io.switchboard.router;

import static io.switchboard.router.Envelopes.request;
import static io.switchboard.router.RouterKeys.GRPC_PORT;
import static io.switchboard.router.RouterKeys.GRPC_TLS;
import static io.switchboard.router.RouterKeys.ID;
import static io.switchboard.router.RouterKeys.METRICS_PORT;
import static io.switchboard.router.RouterKeys.STARTUP_TIMEOUT;
import static io.switchboard.testkit.tls.TlsFixture.assertCertificateRequired;
import static io.switchboard.testkit.tls.TlsFixture.assertRefusedAtConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.kafka.embedded.EmbeddedKafkaExtension;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.router.api.ApiKeys;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.testkit.tls.TlsFixture;
import io.switchboard.testkit.tls.TlsFixture.Caller;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router with {@code router.grpc.tls.*} set, probed over real loopback TLS by callers with a certificate of its
 * authority, without one, with one of another authority and without TLS.
 */
class RouterMutualTlsTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir
    Path certificates;

    private TlsFixture tls;
    private RouterServer router;

    @BeforeEach
    void certificates() {
        tls = TlsFixture.create(certificates);
    }

    @AfterEach
    void stop() {
        if (router != null) {
            router.shutdown(Duration.ofSeconds(5));
        }
        tls.close();
    }

    @Test
    void requireRefusesCallersWithoutACertificateOfItsAuthorityAndServesThoseWithOne(TestInfo test) {
        router = start(test, RouterConfig.builder());

        PublishResponse published = routerService(Caller.CERTIFIED).publish(request("chat:lobby", "m-1"));
        assertThat(published.getPosition().getEpoch()).as("stored in Kafka").isNotEmpty();
        assertThat(published.getDuplicate()).isFalse();

        assertRefusedAtConnection(() -> routerService(Caller.NO_CERTIFICATE).publish(request("chat:lobby", "m-2")));
        assertRefusedAtConnection(() -> routerService(Caller.OTHER_AUTHORITY).publish(request("chat:lobby", "m-3")));
        assertRefusedAtConnection(() -> routerService(Caller.PLAINTEXT).publish(request("chat:lobby", "m-4")));
        // Even health needs the certificate when the handshake requires it.
        assertRefusedAtConnection(() -> health(Caller.NO_CERTIFICATE));
    }

    @Test
    void optionalLetsBackendsReachThePublicApiButNotRouterServiceWithoutACertificate(TestInfo test) {
        router = start(test, RouterConfig.builder().parse(GRPC_TLS.clientAuth.name(), "optional")
                .set(ApiKeys.ENABLED, true)
                .set(ApiKeys.AUTH.hs256Secret, "a-service-token-secret-of-32-bytes!!"));

        assertCertificateRequired(() -> routerService(Caller.NO_CERTIFICATE).publish(request("chat:lobby", "m-1")));
        // The public API answers for itself: the call got past TLS and asks for the service token.
        assertThatThrownBy(() -> SwitchboardApiGrpc.newBlockingStub(channel(Caller.NO_CERTIFICATE))
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .publish(io.switchboard.proto.api.v1.PublishRequest.newBuilder().setRoom("chat:lobby").setId("a-1")
                        .build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).startsWith("authorization header is required");
                });
        assertThat(health(Caller.NO_CERTIFICATE)).isEqualTo(ServingStatus.SERVING);
        // With optional, the handshake lets a certificate of another authority through unverified: the check
        // treats its caller as one without a certificate.
        assertCertificateRequired(() -> routerService(Caller.OTHER_AUTHORITY).publish(request("chat:lobby", "m-2")));

        assertThat(routerService(Caller.CERTIFIED).publish(request("chat:lobby", "m-3")).getPosition().getEpoch())
                .isNotEmpty();
    }

    @Test
    void aMissingCertificateFileIsAConfigurationErrorNamingTheKey() {
        assertThatThrownBy(() -> RouterConfig.builder().set(GRPC_TLS.certificate, certificates.resolve("missing.crt")))
                .hasMessage("router.grpc.tls.certificate: " + certificates.resolve("missing.crt")
                        + " (expected: a readable PEM file)");
    }

    @Test
    void certificateAndKeyComeTogetherAndClientCertificatesNeedABundle() {
        assertThatThrownBy(() -> RouterConfig.builder().set(GRPC_TLS.certificate, tls.server().certificateChain())
                .build())
                .hasMessageContaining("router.grpc.tls.private-key: <unset> (expected: set together with"
                        + " router.grpc.tls.certificate)");
        assertThatThrownBy(() -> RouterConfig.builder().set(GRPC_TLS.certificate, tls.server().certificateChain())
                .set(GRPC_TLS.privateKey, tls.server().privateKey()).build())
                .hasMessageContaining("router.grpc.tls.trust-certificates: <unset> (expected: a CA bundle when"
                        + " router.grpc.tls.client-auth is require)");
    }

    private RouterServer start(TestInfo test, ConfigBuilder<RouterConfig> builder) {
        RouterConfig config = tls.serving(builder, GRPC_TLS)
                .set(ID, "tls-router").set(GRPC_PORT, 0).set(METRICS_PORT, -1)
                .set(KafkaKeys.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers())
                .set(KafkaKeys.TOPIC_NAME, "rooms." + test.getTestMethod().orElseThrow().getName())
                .set(KafkaKeys.TOPIC_PARTITIONS, 1).set(STARTUP_TIMEOUT, Duration.ofSeconds(20)).build();
        RouterServer started = RouterServer.create(config, new PrometheusRegistry());
        started.start();
        return started;
    }

    private Channel channel(Caller caller) {
        return tls.channel(router.port(), caller);
    }

    private RouterServiceGrpc.RouterServiceBlockingStub routerService(Caller caller) {
        return RouterServiceGrpc.newBlockingStub(channel(caller)).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private ServingStatus health(Caller caller) {
        return HealthGrpc.newBlockingStub(channel(caller)).withDeadlineAfter(20, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }
}
