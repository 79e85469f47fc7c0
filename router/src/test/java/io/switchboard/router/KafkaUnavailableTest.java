package io.switchboard.router;

import static io.switchboard.router.RouterKeys.DELIVERY_TIMEOUT;
import static io.switchboard.router.RouterKeys.GRPC_PORT;
import static io.switchboard.router.RouterKeys.ID;
import static io.switchboard.router.RouterKeys.METRICS_PORT;
import static io.switchboard.router.RouterKeys.STARTUP_TIMEOUT;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.kafka.embedded.EmbeddedKafkaExtension;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.service.KafkaKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.switchboard.router.Envelopes.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A broker that goes away under a running router: publishes fail with UNAVAILABLE, retriable. Own broker. */
class KafkaUnavailableTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void publishesFailWithUnavailableOnceKafkaIsGoneAndRetriesSendAgain() {
        RouterConfig config = RouterConfig.builder().set(ID, "lonely").set(GRPC_PORT, 0).set(METRICS_PORT, -1)
                .set(KafkaKeys.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers()).set(KafkaKeys.TOPIC_NAME, "rooms.unavailable")
                .set(KafkaKeys.TOPIC_PARTITIONS, 1).set(DELIVERY_TIMEOUT, Duration.ofSeconds(2))
                .set(STARTUP_TIMEOUT, Duration.ofSeconds(20)).build();
        PrometheusRegistry registry = new PrometheusRegistry();
        RouterServer router = RouterServer.create(config, registry);
        ManagedChannel channel = null;
        try {
            router.start();
            channel = Grpc.newChannelBuilderForAddress("127.0.0.1", router.port(),
                    InsecureChannelCredentials.create()).build();
            RouterServiceGrpc.RouterServiceBlockingStub stub = RouterServiceGrpc.newBlockingStub(channel);
            assertThat(stub.withDeadlineAfter(20, TimeUnit.SECONDS).publish(request("r", "before")).getDuplicate())
                    .isFalse();

            KAFKA.kafka().close();

            for (int attempt = 0; attempt < 2; attempt++) {
                assertThatThrownBy(() -> stub.withDeadlineAfter(20, TimeUnit.SECONDS).publish(request("r", "after")))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                            assertThat(e.getStatus().getDescription()).startsWith("kafka did not acknowledge");
                        });
            }
            assertThat(registry.scrape().stream()
                    .filter(m -> m.getMetadata().getPrometheusName().equals("switchboard_router_publishes"))
                    .flatMap(m -> m.getDataPoints().stream())
                    .filter(p -> p.getLabels().get("outcome").equals("unavailable"))
                    .map(p -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) p)
                            .getValue())
                    .findFirst()).as("both attempts were sent and failed, not deduplicated").contains(2.0);
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            router.shutdown(Duration.ofSeconds(2));
        }
    }
}
