package io.switchboard.gateway.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import io.grpc.Status;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.observe.Scrape;
import io.switchboard.proto.PublishLanes;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.PublishSequence;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What only the publish stream can get wrong: answers matched to their publishes whatever their order, a router
 * without the method, a draining router, a stream lost with publishes on it, and deadlines per publish. The
 * outcomes it shares with unary calls (failover, breakers) are {@link FailoverTest}'s.
 */
class PublishStreamTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String ROOM = "chat:lobby";

    @AutoClose
    private final InProcessRouters routers = new InProcessRouters("stream-");
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private GrpcRouterClient client;
    private List<RouterEndpoint> rank;

    /** Two routers; the room's owner serves streams when {@code ownerServesStreams}. */
    private void start(boolean ownerServesStreams) throws Exception {
        List<RouterEndpoint> endpoints = List.of(RouterEndpoint.parse("10.0.1.1:7070"),
                RouterEndpoint.parse("10.0.1.2:7070"));
        rank = new RendezvousPicker(endpoints).rank(ROOM);
        for (RouterEndpoint endpoint : endpoints) {
            routers.serve(endpoint, new ScriptedRouter(endpoint.toString(),
                    ownerServesStreams || !endpoint.equals(rank.getFirst())));
        }
        client = routers.start(GrpcRouterClient.builder()
                .routers(endpoints)
                .channels(routers::channel)
                .publishStreamOnEventLoop(answersOnEventLoop())
                .registry(registry));
    }

    /** Whether the client handles the streams' answers on the channel's thread ({@link PublishStreamOnEventLoopTest}). */
    boolean answersOnEventLoop() {
        return false;
    }

    @Test
    void answersArrivingInAnyOrderReachTheirOwnPublishes() throws Exception {
        start(true);
        ScriptedRouter owner = routers.get(rank.getFirst());
        owner.mode(ScriptedRouter.Mode.HOLD);
        List<CompletableFuture<PublishResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(client.publish(envelope("m-" + i), TIMEOUT));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> owner.received().size() == 50);

        owner.releaseNewestFirst();

        for (int i = 0; i < 50; i++) {
            PublishResponse response = calls.get(i).get(10, TimeUnit.SECONDS);
            assertThat(response.getPosition().getOffset()).as("publish m-%d", i).isEqualTo(i + 1);
        }
        assertThat(owner.received()).extracting(Envelope::getId).first().isEqualTo("m-0");
        assertThat(owner.openStreams()).isEqualTo(1);
    }

    @Test
    void aRouterWithoutPublishStreamGetsUnaryCalls() throws Exception {
        start(false);

        PublishResponse first = client.publish(envelope("u-1"), TIMEOUT).get(10, TimeUnit.SECONDS);
        PublishResponse second = client.publish(envelope("u-2"), TIMEOUT).get(10, TimeUnit.SECONDS);

        assertThat(first.getPosition().getEpoch()).isEqualTo(rank.getFirst().toString());
        assertThat(second.getPosition().getEpoch()).isEqualTo(rank.getFirst().toString());
        assertThat(routers.get(rank.getFirst()).received()).extracting(Envelope::getId).containsExactly("u-1", "u-2");
        assertThat(metric("gateway_router_failovers_total{reason=\"unavailable\"}")).isEqualTo(-1);
    }

    @Test
    void aDrainingRouterCompletesItsStreamAndLaterPublishesFailOver() throws Exception {
        start(true);
        ScriptedRouter owner = routers.get(rank.getFirst());
        client.publish(envelope("before"), TIMEOUT).get(10, TimeUnit.SECONDS);
        assertThat(owner.openStreams()).isEqualTo(1);

        owner.drain();

        await().atMost(10, TimeUnit.SECONDS).until(() -> owner.openStreams() == 0);
        PublishResponse after = client.publish(envelope("after"), TIMEOUT).get(10, TimeUnit.SECONDS);
        assertThat(after.getPosition().getEpoch()).isEqualTo(rank.get(1).toString());
        assertThat(owner.received()).extracting(Envelope::getId).containsExactly("before");
        assertThat(metric("gateway_router_failovers_total{reason=\"unavailable\"}")).isEqualTo(1);
    }

    @Test
    void publishesOnALostStreamFailOverWithTheirIds() throws Exception {
        start(true);
        ScriptedRouter owner = routers.get(rank.getFirst());
        owner.mode(ScriptedRouter.Mode.HOLD);
        CompletableFuture<PublishResponse> call = client.publish(envelope("lost"), TIMEOUT);
        assertThat(owner.holding().await(10, TimeUnit.SECONDS)).isTrue();

        routers.server(rank.getFirst()).shutdownNow(); // the owner goes away with the publish unanswered

        PublishResponse response = call.get(10, TimeUnit.SECONDS);
        assertThat(response.getPosition().getEpoch()).isEqualTo(rank.get(1).toString());
        assertThat(routers.get(rank.get(1)).received()).extracting(Envelope::getId).containsExactly("lost");
    }

    @Test
    void publishesLostTogetherFailOverInTheOrderTheyWereSent() throws Exception {
        start(true);
        ScriptedRouter owner = routers.get(rank.getFirst());
        PublishLanes lanes = new PublishLanes("session-1");
        // Call ids past the first hundred, so that a hash map's iteration order would no longer be the sent order.
        for (int i = 0; i < 100; i++) {
            PublishLanes.Ticket ticket = lanes.next(ROOM, "warm-" + i);
            client.publish(envelope("warm-" + i), ticket, TIMEOUT).get(10, TimeUnit.SECONDS);
            lanes.answered(ticket, PublishLanes.Outcome.STORED);
        }
        owner.mode(ScriptedRouter.Mode.HOLD);
        List<CompletableFuture<PublishResponse>> calls = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sent.add("m-" + i);
            calls.add(client.publish(envelope("m-" + i), lanes.next(ROOM, "m-" + i), TIMEOUT));
        }
        await().atMost(10, TimeUnit.SECONDS).until(() -> owner.received().size() == 150);

        routers.server(rank.getFirst()).shutdownNow(); // the owner goes away with all 50 unanswered

        for (CompletableFuture<PublishResponse> call : calls) {
            assertThat(call.get(10, TimeUnit.SECONDS).getPosition().getEpoch()).isEqualTo(rank.get(1).toString());
        }
        ScriptedRouter next = routers.get(rank.get(1));
        assertThat(next.received()).extracting(Envelope::getId).containsExactlyElementsOf(sent);
        assertThat(next.sequences()).extracting(PublishSequence::getSeq)
                .containsExactlyElementsOf(LongStream.rangeClosed(101, 150).boxed().toList());
        assertThat(next.sequences()).extracting(PublishSequence::getStoredThrough).containsOnly(100L);
    }

    @Test
    void aClientsResendOfAFailedPublishIsMarkedAsAPossibleRepeat() throws Exception {
        start(true);
        ScriptedRouter owner = routers.get(rank.getFirst());
        PublishLanes lanes = new PublishLanes("session-1");
        PublishLanes.Ticket first = lanes.next(ROOM, "m-1");
        client.publish(envelope("m-1"), first, TIMEOUT).get(10, TimeUnit.SECONDS);
        lanes.answered(first, PublishLanes.Outcome.RETRIABLE); // say its answer was TIMEOUT: stored or not

        client.publish(envelope("m-1"), lanes.next(ROOM, "m-1"), TIMEOUT).get(10, TimeUnit.SECONDS);
        client.publish(envelope("m-2"), lanes.next(ROOM, "m-2"), TIMEOUT).get(10, TimeUnit.SECONDS);

        assertThat(owner.received()).extracting(Envelope::getId).containsExactly("m-1", "m-1", "m-2");
        assertThat(owner.markedFailover()).as("the router first reads the log up to its arrival").containsExactly("m-1");
    }

    @Test
    void aPublishWhoseDeadlinePassesFailsAloneAndTheStreamCarriesOn() throws Exception {
        start(true);
        ScriptedRouter owner = routers.get(rank.getFirst());
        owner.mode(ScriptedRouter.Mode.HOLD);
        CompletableFuture<PublishResponse> slow = client.publish(envelope("slow"), Duration.ofMillis(200));

        assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS))
                .satisfies(e -> assertThat(Status.fromThrowable(e.getCause()).getCode())
                        .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        owner.release(); // the late answer is dropped
        PublishResponse next = client.publish(envelope("next"), TIMEOUT).get(10, TimeUnit.SECONDS);

        assertThat(next.getPosition().getEpoch()).isEqualTo(rank.getFirst().toString());
        assertThat(routers.get(rank.get(1)).received()).isEmpty();
        assertThat(owner.openStreams()).isEqualTo(1);
    }

    private double metric(String sample) {
        return Scrape.value(registry, sample);
    }

    private static Envelope envelope(String id) {
        return Envelope.newBuilder().setId(id).setRoom(ROOM).build();
    }
}
