package io.switchboard.gateway.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
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

    /**
     * With the router called in-process and both sides inline (this test's channels and servers run on the caller's
     * thread, as the single-process platform's do with both publish-stream keys on), the thread answering a drained
     * router's last publish ends the stream while other threads are writing refused publishes into it. Writing under
     * the stream's lock would deadlock them (the writer holds the stream's lock and waits for the router's, the
     * answerer holds the router's and waits for the stream's); each round here gives that a chance, and every thread
     * must finish.
     */
    @Test
    void publishesWrittenWhileADrainedRoutersStreamEndsNeverHang() throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory());
        try {
            // Preemptive: deadlocked threads (and closing their client) would never return; they are left behind.
            assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
                for (int round = 0; round < 30; round++) {
                    try (InProcessRouters local = new InProcessRouters("drain-race-" + round + "-")) {
                        raceAStreamsEndAgainstItsWriters(local, threads);
                    }
                }
            });
        } finally {
            threads.shutdownNow();
        }
    }

    private void raceAStreamsEndAgainstItsWriters(InProcessRouters local, ExecutorService threads) throws Exception {
        List<RouterEndpoint> endpoints = List.of(RouterEndpoint.parse("10.0.2.1:7070"),
                RouterEndpoint.parse("10.0.2.2:7070"));
        List<RouterEndpoint> ranked = new RendezvousPicker(endpoints).rank(ROOM);
        for (RouterEndpoint endpoint : endpoints) {
            local.serve(endpoint, new ScriptedRouter(endpoint.toString()));
        }
        GrpcRouterClient racing = local.start(GrpcRouterClient.builder().routers(endpoints).channels(local::channel)
                .publishStreamOnEventLoop(answersOnEventLoop()).registry(new PrometheusRegistry()));
        ScriptedRouter owner = local.get(ranked.getFirst());
        owner.mode(ScriptedRouter.Mode.HOLD);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<CompletableFuture<PublishResponse>>>> writers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            String prefix = "w" + w + "-";
            writers.add(threads.submit(() -> {
                List<CompletableFuture<PublishResponse>> calls = new ArrayList<>();
                calls.add(racing.publish(envelope(prefix + "held"), TIMEOUT));
                go.await();
                for (int i = 0; i < 300; i++) {
                    calls.add(racing.publish(envelope(prefix + i), TIMEOUT));
                }
                return calls;
            }));
        }
        // Held, not only received: release() answers those held when it runs, and the stream ends with the last.
        await().atMost(10, TimeUnit.SECONDS).until(() -> owner.held() == 3);
        owner.drain(); // later publishes are refused, and the stream completes once the held ones are answered
        Future<?> answerer = threads.submit(() -> {
            go.countDown();
            owner.release();
        });

        answerer.get(20, TimeUnit.SECONDS);
        for (Future<List<CompletableFuture<PublishResponse>>> writer : writers) {
            for (CompletableFuture<PublishResponse> call : writer.get(20, TimeUnit.SECONDS)) {
                assertThat(call.get(20, TimeUnit.SECONDS).getPosition().getEpoch()).isIn(
                        ranked.get(0).toString(), ranked.get(1).toString());
            }
        }
        // Every publish after the drain was refused by the owner and stored once by the other router.
        assertThat(local.get(ranked.get(1)).received()).hasSize(900);
    }

    private double metric(String sample) {
        return Scrape.value(registry, sample);
    }

    private static Envelope envelope(String id) {
        return Envelope.newBuilder().setId(id).setRoom(ROOM).build();
    }
}
