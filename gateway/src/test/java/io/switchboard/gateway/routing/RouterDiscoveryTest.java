package io.switchboard.gateway.routing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishResponse;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** DNS discovery with a scripted resolver: membership follows the records, vanished routers close when idle. */
class RouterDiscoveryTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @AutoClose
    private final InProcessRouters routers = new InProcessRouters("dns-");
    private volatile List<String> records = List.of("10.1.0.1", "10.1.0.2");
    private volatile boolean dnsDown;
    private final Map<RouterEndpoint, ManagedChannel> channels = new java.util.concurrent.ConcurrentHashMap<>();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    /** The lookups after the first: run by the test, not by a timer. */
    private final AtomicReference<Runnable> lookup = new AtomicReference<>();
    private GrpcRouterClient client;

    @BeforeEach
    void start() throws Exception {
        for (String ip : List.of("10.1.0.1", "10.1.0.2", "10.1.0.3")) {
            routers.serve(RouterEndpoint.parse(ip + ":7070"), new ScriptedRouter(ip + ":7070"));
        }
        client = client();
    }

    private GrpcRouterClient client() {
        return routers.start(GrpcRouterClient.builder()
                .dns(RouterEndpoint.parse("routers.test:7070"), Duration.ofHours(1))
                .resolver(this::resolve)
                .refreshTimer((interval, task) -> {
                    lookup.set(task);
                    return () -> lookup.set(null);
                })
                .channels(e -> channels.compute(e, (k, old) -> routers.channel(e)))
                .clock(Clock.systemUTC())
                .registry(registry));
    }

    /** Runs the next scheduled DNS lookup now. */
    private void lookUp() {
        lookup.get().run();
    }

    private double lookups(String result) {
        return registry.scrape().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals("gateway_router_dns_refreshes"))
                .flatMap(m -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot) m).getDataPoints().stream())
                .filter(d -> d.getLabels().get("result").equals(result))
                .mapToDouble(io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot::getValue)
                .sum();
    }

    private List<InetAddress> resolve(String host) throws UnknownHostException {
        assertThat(host).isEqualTo("routers.test");
        if (dnsDown) {
            throw new UnknownHostException(host + ": SERVFAIL");
        }
        List<InetAddress> out = new ArrayList<>();
        for (String ip : records) {
            out.add(InetAddress.getByAddress(host, InetAddress.getByName(ip).getAddress()));
        }
        return out;
    }

    @Test
    void membershipFollowsTheRecordsAndSurvivesAFailedLookup() throws Exception {
        assertThat(client.routers()).extracting(RouterEndpoint::toString)
                .containsExactlyInAnyOrder("10.1.0.1:7070", "10.1.0.2:7070");

        records = List.of("10.1.0.2", "10.1.0.3");
        lookUp();
        assertThat(lookups("ok")).isEqualTo(2);
        assertThat(client.routers()).extracting(RouterEndpoint::toString)
                .containsExactlyInAnyOrder("10.1.0.2:7070", "10.1.0.3:7070");
        for (int i = 0; i < 20; i++) {
            PublishResponse r = client.publish(envelope("room-" + i, "m-" + i), WAIT).get(10, TimeUnit.SECONDS);
            assertThat(r.getPosition().getEpoch()).isNotEqualTo("10.1.0.1:7070");
        }

        dnsDown = true;
        lookUp();
        assertThat(lookups("failed")).isEqualTo(1);
        assertThat(client.routers()).extracting(RouterEndpoint::toString)
                .containsExactlyInAnyOrder("10.1.0.2:7070", "10.1.0.3:7070");
    }

    @Test
    void aVanishedRouterClosesItsChannelOnlyAfterItsCallInFlightEnded() throws Exception {
        RouterEndpoint first = RouterEndpoint.parse("10.1.0.1:7070");
        String room = roomOwnedBy(first);
        routers.get(RouterEndpoint.parse("10.1.0.1:7070")).mode(ScriptedRouter.Mode.HOLD);
        CompletableFuture<PublishResponse> inFlight = client.publish(envelope(room, "held"), WAIT);
        assertThat(routers.get(RouterEndpoint.parse("10.1.0.1:7070")).holding().await(10, TimeUnit.SECONDS)).isTrue();

        records = List.of("10.1.0.2");
        lookUp();
        assertThat(client.routers()).containsExactly(RouterEndpoint.parse("10.1.0.2:7070"));
        assertThat(channels.get(first).isShutdown()).as("channel of the retired router, call in flight").isFalse();
        // New calls for the room already go to the remaining router.
        assertThat(client.publish(envelope(room, "next"), WAIT).get(10, TimeUnit.SECONDS).getPosition().getEpoch())
                .isEqualTo("10.1.0.2:7070");

        routers.get(RouterEndpoint.parse("10.1.0.1:7070")).release();
        assertThat(inFlight.get(10, TimeUnit.SECONDS).getPosition().getEpoch()).isEqualTo("10.1.0.1:7070");
        await().atMost(WAIT).until(() -> channels.get(first).isShutdown());
    }

    @Test
    void noRecordYetMeansUnavailableUntilALookupSucceeds() throws Exception {
        dnsDown = true;
        client = client(); // closes the first
        assertThatThrownBy(() -> client.publish(envelope("r", "a"), WAIT).get(10, TimeUnit.SECONDS))
                .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getDescription())
                        .isEqualTo("no router known"));

        dnsDown = false;
        lookUp();
        assertThat(client.publish(envelope("r", "b"), WAIT).get(10, TimeUnit.SECONDS).hasPosition()).isTrue();
    }

    private String roomOwnedBy(RouterEndpoint owner) {
        RendezvousPicker picker = new RendezvousPicker(client.routers());
        for (int i = 0; ; i++) {
            if (picker.pick("room-" + i).equals(owner)) {
                return "room-" + i;
            }
        }
    }

    private static Envelope envelope(String room, String id) {
        return Envelope.newBuilder().setId(id).setRoom(room).build();
    }
}
