package io.switchboard.gateway.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.Status;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.observe.Scrape;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishResponse;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Failover and circuit breakers against in-process routers whose answers are scripted, with publishes over each
 * router's publish stream and as unary calls: the same outcomes either way.
 */
@ParameterizedClass(name = "publish stream: {0}")
@ValueSource(booleans = {true, false})
class FailoverTest {
    @Parameter
    boolean publishStream;

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String ROOM = "chat:lobby";

    @AutoClose
    private final InProcessRouters routers = new InProcessRouters("failover-");
    private final MutableClock clock = new MutableClock();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private GrpcRouterClient client;

    @BeforeEach
    void startRouters() throws Exception {
        for (int i = 1; i <= 3; i++) {
            RouterEndpoint endpoint = RouterEndpoint.parse("10.0.0." + i + ":7070");
            routers.serve(endpoint, new ScriptedRouter(endpoint.toString()));
        }
        client = routers.start(GrpcRouterClient.builder()
                .routers(routers.endpoints())
                .channels(routers::channel)
                .breaker(new BreakerSettings(50, 20, 5, Duration.ofSeconds(5), 3))
                .clock(clock)
                .registry(registry)
                .publishStream(publishStream));
    }

    @Test
    void unavailableOwnerSendsTheSameRequestToTheNextOwner() throws Exception {
        List<RouterEndpoint> rank = new RendezvousPicker(routers.endpoints()).rank(ROOM);
        router(rank.get(0)).mode(ScriptedRouter.Mode.UNAVAILABLE);

        PublishResponse response = client.publish(envelope("m-1"), TIMEOUT).get(10, TimeUnit.SECONDS);

        assertThat(response.getPosition().getEpoch()).isEqualTo(rank.get(1).toString());
        assertThat(router(rank.get(0)).received()).extracting(Envelope::getId).containsExactly("m-1");
        assertThat(router(rank.get(1)).received()).containsExactlyElementsOf(router(rank.get(0)).received());
        assertThat(router(rank.get(2)).received()).isEmpty();
        assertThat(metric("gateway_router_failovers_total{reason=\"unavailable\"}")).isEqualTo(1);
    }

    @Test
    void failsOverOnlyOnce() {
        List<RouterEndpoint> rank = new RendezvousPicker(routers.endpoints()).rank(ROOM);
        router(rank.get(0)).mode(ScriptedRouter.Mode.UNAVAILABLE);
        router(rank.get(1)).mode(ScriptedRouter.Mode.UNAVAILABLE);

        assertThatThrownBy(() -> client.publish(envelope("m-2"), TIMEOUT).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode())
                        .isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(router(rank.get(2)).received()).isEmpty();
    }

    @Test
    void deadlineExceededIsNotRetriedElsewhere() throws Exception {
        List<RouterEndpoint> rank = new RendezvousPicker(routers.endpoints()).rank(ROOM);
        router(rank.get(0)).mode(ScriptedRouter.Mode.HOLD);

        CompletableFuture<PublishResponse> call = client.publish(envelope("m-3"), Duration.ofMillis(200));

        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
                .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode())
                        .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(router(rank.get(1)).received()).isEmpty();
        assertThat(router(rank.get(2)).received()).isEmpty();
    }

    @Test
    void requestErrorsNeitherFailOverNorOpenTheBreaker() throws Exception {
        List<RouterEndpoint> rank = new RendezvousPicker(routers.endpoints()).rank(ROOM);
        router(rank.get(0)).mode(ScriptedRouter.Mode.INVALID_ARGUMENT);

        for (int i = 0; i < 10; i++) {
            String id = "bad-" + i;
            assertThatThrownBy(() -> client.publish(envelope(id), TIMEOUT).get(10, TimeUnit.SECONDS))
                    .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode())
                            .isEqualTo(Status.Code.INVALID_ARGUMENT));
        }
        assertThat(breaker(rank.get(0))).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(router(rank.get(1)).received()).isEmpty();
    }

    @Test
    void breakerOpensAfterFailuresThenHalfOpensAfterTheWait() throws Exception {
        List<RouterEndpoint> rank = new RendezvousPicker(routers.endpoints()).rank(ROOM);
        ScriptedRouter owner = router(rank.get(0));
        owner.mode(ScriptedRouter.Mode.UNAVAILABLE);
        for (int i = 0; i < 5; i++) {
            client.publish(envelope("fail-" + i), TIMEOUT).get(10, TimeUnit.SECONDS); // each fails over
        }
        assertThat(breaker(rank.get(0))).isEqualTo(CircuitBreaker.State.OPEN);

        // Open: the owner is skipped without a call, the next router answers.
        owner.mode(ScriptedRouter.Mode.OK);
        PublishResponse skipped = client.publish(envelope("while-open"), TIMEOUT).get(10, TimeUnit.SECONDS);
        assertThat(skipped.getPosition().getEpoch()).isEqualTo(rank.get(1).toString());
        assertThat(owner.received()).hasSize(5);
        assertThat(metric("gateway_router_failovers_total{reason=\"breaker_open\"}")).isEqualTo(1);

        // After the wait the breaker lets trial calls through; three successes close it again.
        clock.advance(Duration.ofSeconds(6));
        PublishResponse trial = client.publish(envelope("trial-0"), TIMEOUT).get(10, TimeUnit.SECONDS);
        assertThat(trial.getPosition().getEpoch()).isEqualTo(rank.get(0).toString());
        assertThat(breaker(rank.get(0))).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        for (int i = 1; i < 3; i++) {
            client.publish(envelope("trial-" + i), TIMEOUT).get(10, TimeUnit.SECONDS);
        }
        assertThat(breaker(rank.get(0))).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(metric("gateway_router_breaker_state{router=\"" + rank.get(0) + "\",state=\"closed\"}"))
                .isEqualTo(1.0);
    }

    @Test
    void everyBreakerOpenFailsAtOnceWithUnavailable() throws Exception {
        routers.all().forEach(r -> r.mode(ScriptedRouter.Mode.UNAVAILABLE));
        for (int i = 0; i < 20; i++) {
            String id = "down-" + i;
            // spread over keys so every router sees enough failures
            client.<PublishResponse>call("room-" + i, TIMEOUT, (stub, obs) -> stub.publish(
                    io.switchboard.proto.internal.v1.PublishRequest.newBuilder().setEnvelope(envelope(id)).build(),
                    obs)).handle((r, e) -> null).get(10, TimeUnit.SECONDS);
        }
        for (RouterEndpoint r : routers.endpoints()) {
            assertThat(breaker(r)).isEqualTo(CircuitBreaker.State.OPEN);
        }
        int calls = routers.all().stream().mapToInt(r -> r.received().size()).sum();

        assertThatThrownBy(() -> client.publish(envelope("x"), TIMEOUT).get(10, TimeUnit.SECONDS))
                .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getDescription())
                        .contains("circuit breakers open"));
        assertThat(routers.all().stream().mapToInt(r -> r.received().size()).sum()).isEqualTo(calls);
    }

    private ScriptedRouter router(RouterEndpoint e) {
        return routers.get(e);
    }

    /** The state of {@code e}'s circuit breaker, as the gateway reports it ({@code gateway_router_breaker_state}). */
    private CircuitBreaker.State breaker(RouterEndpoint e) throws Exception {
        for (CircuitBreaker.State state : List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
                CircuitBreaker.State.HALF_OPEN)) {
            if (metric("gateway_router_breaker_state{router=\"" + e + "\",state=\""
                    + state.name().toLowerCase(java.util.Locale.ROOT) + "\"}") == 1) {
                return state;
            }
        }
        throw new AssertionError("no breaker state reported for " + e);
    }

    private double metric(String sample) {
        return Scrape.value(registry, sample);
    }

    private static Envelope envelope(String id) {
        return Envelope.newBuilder().setId(id).setRoom(ROOM).build();
    }

    /** A clock the test moves by hand (Resilience4j reads it for the open-state wait). */
    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
