package io.switchboard.gateway.presence;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.presence.PresenceReporterTest.FakePresence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Reporting to several presence instances: each gets every change, and one that is down never holds the others back. */
class PresenceReportersTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakePresence first = new FakePresence();
    private final FakePresence second = new FakePresence();
    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private PresenceReporters reporters;

    private void serve(String name, FakePresence fake) throws Exception {
        servers.add(InProcessServerBuilder.forName(name).directExecutor().addService(fake).build().start());
    }

    private Channel channel(String name) {
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        channels.add(channel);
        return channel;
    }

    @AfterEach
    void tearDown() {
        if (reporters != null) {
            reporters.stop(Duration.ofSeconds(5));
        }
        channels.forEach(ManagedChannel::shutdownNow);
        servers.forEach(Server::shutdownNow);
    }

    @Test
    void everyInstanceLearnsEveryChangeAndOneThatWasDownCatchesUpWithASync() throws Exception {
        String firstName = InProcessServerBuilder.generateName();
        String secondName = InProcessServerBuilder.generateName();
        serve(firstName, first);
        // The second instance is down: nothing serves its name yet.
        reporters = new PresenceReporters(new PresenceReporter.Settings("gw-1", Duration.ofMillis(20), 2000,
                Duration.ofSeconds(5), 500, Duration.ofSeconds(5)), List.of(channel(firstName), channel(secondName)),
                registry);
        reporters.start();
        await().atMost(WAIT).until(() -> !first.syncs().isEmpty());

        reporters.opened("s1", "ann", "test/1", Instant.EPOCH);
        reporters.joined("s1", "chat");
        reporters.opened("s2", "ben", "test/1", Instant.EPOCH);
        reporters.joined("s2", "news");
        reporters.closed("s2");

        Map<String, Set<String>> truth = Map.of("s1", Set.of("chat"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(first.snapshot()).isEqualTo(truth));
        assertThat(second.snapshot()).isEmpty();

        // The second instance comes back: a Sync brings it to the same state, and later changes reach both.
        serve(secondName, second);
        await().atMost(WAIT).untilAsserted(() -> assertThat(second.snapshot()).isEqualTo(truth));
        reporters.left("s1", "chat");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(first.snapshot()).isEqualTo(Map.of("s1", Set.of()));
            assertThat(second.snapshot()).isEqualTo(Map.of("s1", Set.of()));
        });
        assertThat(registry.scrape().stream().map(s -> s.getMetadata().getName()))
                .contains("gateway_presence_queue_size");
    }
}
