package io.switchboard.router;

import static io.switchboard.router.RouterKeys.GRPC_PORT;
import static io.switchboard.router.RouterKeys.GRPC_STREAM_ON_EVENT_LOOP;
import static io.switchboard.router.RouterKeys.ID;
import static io.switchboard.router.RouterKeys.METRICS_PORT;
import static io.switchboard.router.RouterKeys.STARTUP_TIMEOUT;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.kafka.embedded.EmbeddedKafkaExtension;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.PublishSequence;
import io.switchboard.proto.internal.v1.PublishStreamRequest;
import io.switchboard.proto.internal.v1.PublishStreamResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.router.kafka.KafkaEnvelopeLog;
import io.switchboard.router.kafka.TopicBootstrap;
import io.switchboard.service.GrpcFutures;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.testkit.OpenedResources;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInfo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.switchboard.router.Envelopes.envelope;
import static io.switchboard.router.Envelopes.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real router over loopback gRPC against one real Kafka broker (shared by the class, a topic per test). */
class RouterServerKafkaTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @AutoClose
    private final OpenedResources resources = new OpenedResources();
    private String topic;

    @Test
    void servesHealthReflectionMetricsAndReadiness(TestInfo test) throws Exception {
        RouterServer router = start(test, RouterConfig.builder().set(METRICS_PORT, 0));
        ManagedChannel channel = channel(router);

        assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.newBuilder()
                .setService(RouterServiceGrpc.SERVICE_NAME).build()).getStatus()).isEqualTo(ServingStatus.SERVING);
        assertThat(reflectedServices(channel)).contains(RouterServiceGrpc.SERVICE_NAME, "grpc.health.v1.Health");
        RouterServiceGrpc.newBlockingStub(channel).publish(request("chat:lobby", "m-1"));

        assertThat(http(router, "/health/live").statusCode()).isEqualTo(200);
        assertThat(http(router, "/health/ready").statusCode()).isEqualTo(200);
        assertThat(http(router, "/nope").statusCode()).isEqualTo(404);
        String metrics = http(router, "/metrics").body();
        assertThat(metrics).contains("switchboard_router_publishes_total{outcome=\"ok\"} 1.0")
                .contains("switchboard_router_publish_duration_seconds_count 1")
                .contains("switchboard_router_publishes_in_flight 0.0")
                .contains("switchboard_router_dedup_entries 1.0");

        router.drain();

        assertThat(router.isReady()).isFalse();
        assertThat(http(router, "/health/ready").statusCode()).isEqualTo(503);
        // A new connection is refused. (A call on the old one may race the server's GOAWAY and still be served,
        // which is correct: the test must not depend on which side of that race it lands.)
        ManagedChannel fresh = channel(router);
        assertThatThrownBy(() -> RouterServiceGrpc.newBlockingStub(fresh).withDeadlineAfter(5, TimeUnit.SECONDS)
                .publish(request("chat:lobby", "m-2")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        router.shutdown(Duration.ofSeconds(5));
        assertThatThrownBy(router::start).hasMessageContaining("already started");
    }

    @Test
    void aRecordLargerThanTheTopicTakesIsRefusedForGoodWithItsReason(TestInfo test) throws Exception {
        // The topic holds at most 2 KB per record batch, far below the router's 64 KB payload limit.
        topic = topicName(test);
        try (var admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 3, (short) 1)
                    .configs(java.util.Map.of("max.message.bytes", "2048")))).all().get(20, TimeUnit.SECONDS);
        }
        RouterServer router = start(test, RouterConfig.builder().set(METRICS_PORT, -1));
        PublishRequest tooLarge = request(envelope("chat:lobby", "big-1")
                .setPayload(com.google.protobuf.ByteString.copyFrom(new byte[8 * 1024])));

        assertThatThrownBy(() -> stub(router).publish(tooLarge))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(io.switchboard.proto.RouterErrorReason.of(e))
                            .contains(io.switchboard.proto.RouterErrorReason.RECORD_TOO_LARGE);
                });
        // A retry of the same id meets the same limit: nothing was stored, nothing is deduplicated.
        assertThatThrownBy(() -> stub(router).publish(tooLarge))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
                        io.switchboard.proto.RouterErrorReason.of(e))
                        .contains(io.switchboard.proto.RouterErrorReason.RECORD_TOO_LARGE));
        assertThat(stub(router).publish(request("chat:lobby", "small-1")).getDuplicate()).isFalse();
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), topic)).hasSize(1);
    }

    @Test
    void writesTheEnvelopeKeyedByRoomAndAnswersWithItsCoordinates(TestInfo test) {
        RouterServer router = start(test, RouterConfig.builder().set(METRICS_PORT, -1));
        Envelope sent = envelope("chat:lobby", "m-1").build();

        PublishResponse response = stub(router).publish(PublishRequest.newBuilder().setEnvelope(sent).build());

        List<ConsumerRecord<byte[], byte[]>> records = TopicReader.readAll(KAFKA.bootstrapServers(), topic);
        assertThat(records).singleElement().satisfies(record -> {
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("chat:lobby");
            Envelope stored = TopicReader.envelope(record);
            assertThat(stored.hasPosition()).isFalse();
            assertThat(stored.hasStoredTime()).isFalse();
            assertThat(stored.hasReceivedTime()).isTrue();
            assertThat(stored.toBuilder().clearReceivedTime().build()).isEqualTo(sent);
            assertThat(response.getPosition().getOffset()).isEqualTo(record.offset());
            assertThat(response.getPosition().getEpoch()).isEqualTo(topicId() + ":" + record.partition());
            assertThat(response.getStoredTime()).isEqualTo(
                    PublishService.timestamp(Instant.ofEpochMilli(record.timestamp())));
        });
        assertThat(response.getDuplicate()).isFalse();
    }

    @Test
    void positionsOfOneRoomIncreaseStrictly(TestInfo test) {
        RouterServer router = start(test, RouterConfig.builder().set(METRICS_PORT, -1));
        RouterServiceGrpc.RouterServiceBlockingStub stub = stub(router);

        List<PublishResponse> responses = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            responses.add(stub.publish(request("chat:ordered", "m-" + i)));
        }

        assertThat(responses).extracting(r -> r.getPosition().getEpoch()).containsOnly(responses.get(0)
                .getPosition().getEpoch());
        for (int i = 1; i < responses.size(); i++) {
            assertThat(responses.get(i).getPosition().getOffset())
                    .isGreaterThan(responses.get(i - 1).getPosition().getOffset());
        }
    }

    @Test
    void withTheStreamOnTheEventLoopItsPublishesAreStoredInSendOrderAndARetryIsADuplicate(TestInfo test)
            throws Exception {
        RouterServer router = start(test, RouterConfig.builder().set(METRICS_PORT, -1)
                .set(GRPC_STREAM_ON_EVENT_LOOP, true));
        Map<Long, PublishStreamResponse> answers = new ConcurrentHashMap<>();
        CountDownLatch answered = new CountDownLatch(31);
        StreamObserver<PublishStreamRequest> stream = RouterServiceGrpc.newStub(channel(router))
                .publishStream(new StreamObserver<>() {
                    @Override
                    public void onNext(PublishStreamResponse answer) {
                        answers.put(answer.getCallId(), answer);
                        answered.countDown();
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            sent.add("m-" + i);
            stream.onNext(PublishStreamRequest.newBuilder().setCallId(i).setTimeoutMs(20_000)
                    .setRequest(request("chat:ordered", "m-" + i)).build());
        }
        stream.onNext(PublishStreamRequest.newBuilder().setCallId(30).setTimeoutMs(20_000)
                .setRequest(request("chat:ordered", "m-0")).build());

        assertThat(answered.await(20, TimeUnit.SECONDS)).as("all 31 answered").isTrue();
        stream.onCompleted();
        assertThat(answers.values()).allSatisfy(a -> assertThat(a.hasResponse()).as("answer %s", a).isTrue());
        assertThat(answers.get(30L).getResponse().getDuplicate()).isTrue();
        assertThat(answers.get(30L).getResponse().getPosition()).isEqualTo(answers.get(0L).getResponse().getPosition());
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), topic)).extracting(r -> TopicReader.envelope(r).getId())
                .containsExactlyElementsOf(sent);
    }

    @Test
    void sequentialRetryIsADuplicateAndWritesOneRecord(TestInfo test) {
        RouterServer router = start(test, RouterConfig.builder().set(METRICS_PORT, -1));

        PublishResponse first = stub(router).publish(request("chat:lobby", "m-1"));
        PublishResponse retry = stub(router).publish(request("chat:lobby", "m-1"));

        assertThat(retry.getDuplicate()).isTrue();
        assertThat(retry.getPosition()).isEqualTo(first.getPosition());
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), topic)).hasSize(1);
    }

    @Test
    void concurrentRetriesWriteExactlyOneRecord(TestInfo test) {
        RouterServer router = start(test, RouterConfig.builder().set(METRICS_PORT, -1));
        RouterServiceGrpc.RouterServiceStub stub = RouterServiceGrpc.newStub(channel(router))
                .withDeadlineAfter(20, TimeUnit.SECONDS);

        List<CompletableFuture<PublishResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            calls.add(GrpcFutures.unary("router", response -> stub.publish(request("chat:lobby", "same-id"), response)));
        }
        List<PublishResponse> responses = calls.stream().map(CompletableFuture::join).toList();

        assertThat(responses).extracting(PublishResponse::getPosition).containsOnly(responses.get(0).getPosition());
        assertThat(responses).filteredOn(r -> !r.getDuplicate()).hasSize(1);
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), topic))
                .extracting(r -> TopicReader.envelope(r).getId()).containsExactly("same-id");
    }

    @Test
    void aCallCancelledBeforeItsHandlerRanWritesNoRecord(TestInfo test) throws Exception {
        topic = topicName(test);
        RouterConfig config = RouterConfig.builder().set(ID, "deadline")
                .set(KafkaKeys.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers())
                .set(KafkaKeys.TOPIC_NAME, topic).set(KafkaKeys.TOPIC_PARTITIONS, 2).build();
        RoomLogTopic info = TopicBootstrap.ensure(KafkaSettings.admin(config), KafkaSettings.topic(config),
                Duration.ofSeconds(20));
        KafkaEnvelopeLog log = KafkaEnvelopeLog.start(KafkaSettings.producer(config), info, Duration.ofSeconds(20));
        resources.add(() -> log.close(Duration.ofSeconds(5)));
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        InProcessRouter router = new InProcessRouter(log, 100, 65_536, Duration.ofMinutes(10),
                List.of(PublishServiceTest.holdUntilCancelled(arrived, cancelled)));
        resources.add(router);

        // A passed deadline cancels the router's call context exactly as the caller's cancel does; cancelling
        // once the call is held in the router keeps the test independent of how fast the machine is.
        io.grpc.Context.CancellableContext caller = io.grpc.Context.current().withCancellation();
        CompletableFuture<PublishResponse> tooLate = caller.call(() -> GrpcFutures.unary("router",
                response -> router.async().publish(request("chat:lobby", "too-late"), response)));
        assertThat(arrived.await(30, TimeUnit.SECONDS)).as("the call reached the router").isTrue();
        caller.cancel(null);
        assertThat(tooLate).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
        assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
        org.awaitility.Awaitility.await().until(() -> router.metrics.total(RouterMetrics.Outcome.CANCELLED) == 1);
        // A publish after it goes through the same log, so reading up to it proves the first never went.
        PublishResponse later = router.blocking().publish(request("chat:lobby", "on-time"));

        assertThat(later.getDuplicate()).isFalse();
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), topic))
                .extracting(r -> TopicReader.envelope(r).getId()).containsExactly("on-time");
    }

    @Test
    void aFailoverAttemptOfAnIdAnotherRouterStoredIsADuplicate(TestInfo test) {
        failoverAndLaneTakeoverAreDuplicates(test, RouterConfig.builder().set(METRICS_PORT, -1),
                RouterConfig.builder().set(METRICS_PORT, -1));
    }

    @Test
    void withTheIndexReadingInBatchesAFailoverAndALaneTakeoverAreStillDuplicates(TestInfo test) {
        // The index's fetches wait up to 20 ms for more bytes: the publishes that wait for it still find the earlier
        // ones.
        failoverAndLaneTakeoverAreDuplicates(test, RouterConfig.builder().set(METRICS_PORT, -1)
                        .set(RouterKeys.DEDUP_FOLLOW_LOG_FETCH_WAIT, Duration.ofMillis(20)),
                RouterConfig.builder().set(METRICS_PORT, -1)
                        .set(RouterKeys.DEDUP_FOLLOW_LOG_FETCH_WAIT, Duration.ofMillis(20)));
    }

    /** Publishes on {@code firstConfig}'s router, then retries on the second's: each retry is a duplicate. */
    private void failoverAndLaneTakeoverAreDuplicates(TestInfo test, ConfigBuilder<RouterConfig> firstConfig,
                                                      ConfigBuilder<RouterConfig> secondConfig) {
        RouterServer first = start(test, firstConfig);
        RouterServer second = start(test, secondConfig, "second-router");

        PublishResponse stored = stub(first).publish(request("chat:lobby", "m-1"));
        // The gateway lost the answer (the first router died) and retries on the next router, at once.
        PublishResponse retried = stub(second).publish(request("chat:lobby", "m-1").toBuilder().setFailover(true)
                .build());
        // A lane that moved over: its publishes before went to the first router.
        PublishResponse laneStored = stub(first).publish(inLane("m-2", 1));
        PublishResponse laneRetried = stub(second).publish(inLane("m-2", 2).toBuilder()
                .setEnvelope(request("chat:lobby", "m-2").getEnvelope()).build());

        assertThat(retried.getDuplicate()).isTrue();
        assertThat(retried.getPosition()).isEqualTo(stored.getPosition());
        assertThat(laneRetried.getDuplicate()).isTrue();
        assertThat(laneRetried.getPosition()).isEqualTo(laneStored.getPosition());
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), topic))
                .extracting(r -> TopicReader.envelope(r).getId()).containsExactly("m-1", "m-2");
    }

    @Test
    void aRouterServesOnlyOnceItsDedupMemoryHoldsTheLogsWindow(TestInfo test) {
        RouterServer first = start(test, RouterConfig.builder().set(METRICS_PORT, -1));
        List<PublishResponse> stored = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            stored.add(stub(first).publish(request("chat:lobby", "m-" + i)));
        }

        // A router started (or restarted) now: a backend's retry through it, not marked as a failover (the public
        // API's load balancer picked it), must not wait for a catch-up to be recognised.
        RouterServer second = start(test, RouterConfig.builder().set(METRICS_PORT, -1), "second-router");
        PublishResponse retried = stub(second).publish(request("chat:lobby", "m-19"));

        assertThat(retried.getDuplicate()).isTrue();
        assertThat(retried.getPosition()).isEqualTo(stored.getLast().getPosition());
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), topic)).hasSize(20);
    }

    @Test
    void withoutFollowingTheLogAnotherRoutersIdIsStoredAgain(TestInfo test) {
        RouterServer first = start(test, RouterConfig.builder().set(METRICS_PORT, -1)
                .set(RouterKeys.DEDUP_FOLLOW_LOG, false));
        RouterServer second = start(test, RouterConfig.builder().set(METRICS_PORT, -1)
                .set(RouterKeys.DEDUP_FOLLOW_LOG, false), "second-router");

        stub(first).publish(request("chat:lobby", "m-1"));
        PublishResponse retried = stub(second).publish(request("chat:lobby", "m-1").toBuilder().setFailover(true)
                .build());

        assertThat(retried.getDuplicate()).isFalse();
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), topic)).hasSize(2);
    }

    /** Publish {@code seq} of one lane into chat:lobby, everything before it acknowledged. */
    private static PublishRequest inLane(String id, long seq) {
        return request("chat:lobby", id).toBuilder().setSequence(PublishSequence.newBuilder()
                .setLane("gateway-1/session-1/1").setSeq(seq).setStoredThrough(seq - 1)).build();
    }

    @Test
    void metricsEndpointCanBeDisabled(TestInfo test) {
        RouterServer router = start(test, RouterConfig.builder().set(METRICS_PORT, -1));

        assertThat(router.metricsPort()).isEqualTo(-1);
        assertThat(router.port()).isPositive();
    }

    private RouterServer start(TestInfo test, ConfigBuilder<RouterConfig> builder) {
        return start(test, builder, "test-router");
    }

    private RouterServer start(TestInfo test, ConfigBuilder<RouterConfig> builder, String id) {
        topic = topicName(test);
        RouterConfig config = builder.set(ID, id).set(GRPC_PORT, 0)
                .set(KafkaKeys.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers()).set(KafkaKeys.TOPIC_NAME, topic)
                .set(KafkaKeys.TOPIC_PARTITIONS, 3)
                .set(STARTUP_TIMEOUT, Duration.ofSeconds(20)).build();
        RouterServer router = RouterServer.create(config, new PrometheusRegistry());
        resources.add(router);
        router.start();
        return router;
    }

    private RouterServiceGrpc.RouterServiceBlockingStub stub(RouterServer router) {
        return RouterServiceGrpc.newBlockingStub(channel(router)).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private ManagedChannel channel(RouterServer router) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", router.port(),
                InsecureChannelCredentials.create()).build();
        resources.add(channel::shutdownNow);
        return channel;
    }

    private String topicId() {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).topicId().toString();
        } catch (Exception e) {
            throw new AssertionError("cannot describe " + topic, e);
        }
    }

    private static String topicName(TestInfo test) {
        return "rooms." + test.getTestMethod().orElseThrow().getName();
    }

    private static HttpResponse<String> http(RouterServer router, String path) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.metricsPort() + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static List<String> reflectedServices(ManagedChannel channel) {
        List<StreamObserver<ServerReflectionRequest>> requests = new ArrayList<>();
        CompletableFuture<ServerReflectionResponse> response = GrpcFutures.unary("reflection", answers -> requests.add(
                ServerReflectionGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).serverReflectionInfo(answers)));
        requests.getFirst().onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.getFirst().onCompleted();
        return response.join().getListServicesResponse().getServiceList().stream()
                .map(ServiceResponse::getName).toList();
    }
}
