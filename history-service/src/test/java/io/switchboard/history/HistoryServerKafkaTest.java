package io.switchboard.history;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.kafka.embedded.EmbeddedKafkaExtension;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;
import io.switchboard.proto.internal.v1.ReadDirection;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.testkit.MutableClock;
import io.switchboard.testkit.OpenedResources;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The history service against a real embedded Kafka broker, read over real gRPC on loopback. */
class HistoryServerKafkaTest {
    private static final AtomicInteger TOPICS = new AtomicInteger();
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static KafkaProducer<byte[], byte[]> producer;

    @TempDir
    Path dir;

    @AutoClose
    private final OpenedResources closeables = new OpenedResources();
    private String topic;

    @BeforeAll
    static void startProducer() {
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers(), "acks", "all",
                "linger.ms", "0"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    private String newTopic(int partitions) {
        topic = "history-test-" + TOPICS.incrementAndGet();
        KAFKA.kafka().createTopic(topic, partitions, (short) 1);
        return topic;
    }

    private ConfigBuilder<HistoryConfig> config(Path dataDir) {
        return HistoryConfig.builder().set(HistoryKeys.ID, "h1").set(HistoryKeys.GRPC_PORT, 0)
                .set(HistoryKeys.METRICS_PORT, 0).set(HistoryKeys.DATA_DIR, dataDir)
                .set(KafkaKeys.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers()).set(KafkaKeys.TOPIC_NAME, topic)
                .set(HistoryKeys.STARTUP_TIMEOUT, Duration.ofSeconds(20))
                .set(HistoryKeys.SHUTDOWN_GRACE, Duration.ofSeconds(1));
    }

    private HistoryServer start(HistoryConfig config) {
        return start(config, InstantSource.system());
    }

    private HistoryServer start(HistoryConfig config, InstantSource clock) {
        HistoryServer server = HistoryServer.create(config, new PrometheusRegistry(), clock);
        server.start();
        closeables.add(server);
        await().atMost(Duration.ofSeconds(20)).until(server::isReady);
        return server;
    }

    private HistoryServiceGrpc.HistoryServiceBlockingStub client(HistoryServer server) {
        ManagedChannel channel = closeables.plaintextChannel(server.port());
        return HistoryServiceGrpc.newBlockingStub(channel);
    }

    private static long publish(String topic, String room, String id, long timestamp) {
        Envelope envelope = Envelope.newBuilder().setId(id).setRoom(room)
                .setSender(Sender.newBuilder().setUserId("alice")).build();
        try {
            RecordMetadata md = producer.send(new ProducerRecord<>(topic, null, timestamp,
                    room.getBytes(StandardCharsets.UTF_8), envelope.toByteArray())).get(10, TimeUnit.SECONDS);
            return md.offset();
        } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("publish failed", e);
        }
    }

    private static ReadRequest.Builder read(String room, ReadDirection direction) {
        return ReadRequest.newBuilder().setRoom(room).setDirection(direction);
    }

    private static List<Long> offsets(ReadResponse response) {
        return response.getMessagesList().stream().map(e -> e.getPosition().getOffset()).toList();
    }

    private static Status.Code codeOf(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    private static void awaitIngested(HistoryServer server, String room, long count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> server.store().room(room)
                .map(r -> r.count() >= count).orElse(false));
    }

    @Test
    void ingestsAndPagesLatestBeforeAndAfter() throws Exception {
        newTopic(1);
        long now = System.currentTimeMillis();
        for (int i = 0; i < 7; i++) {
            publish(topic, "chat:lobby", "m-" + i, now + i);
        }
        publish(topic, "chat:other", "x", now);
        HistoryServer server = start(config(dir).build());
        awaitIngested(server, "chat:lobby", 7);
        var stub = client(server);
        RoomLogTopic info = server.topic();
        String epoch = info.epoch(info.partitionOf("chat:lobby"));

        ReadResponse latest = stub.read(read("chat:lobby", ReadDirection.READ_LATEST).setLimit(3).build());
        assertThat(offsets(latest)).containsExactly(4L, 5L, 6L);
        assertThat(latest.getHasMore()).isTrue();
        assertThat(latest.getEpoch()).isEqualTo(epoch);
        assertThat(latest.getOldestPosition()).isZero();
        Envelope first = latest.getMessages(0);
        assertThat(first.getId()).isEqualTo("m-4");
        assertThat(first.getPosition().getEpoch()).isEqualTo(epoch);
        assertThat(first.getStoredTime().getSeconds() * 1000 + first.getStoredTime().getNanos() / 1_000_000)
                .isEqualTo(now + 4);

        ReadResponse before = stub.read(read("chat:lobby", ReadDirection.READ_BEFORE).setPosition(4).setLimit(3).build());
        assertThat(offsets(before)).containsExactly(1L, 2L, 3L);
        assertThat(before.getHasMore()).isTrue();
        ReadResponse oldest = stub.read(read("chat:lobby", ReadDirection.READ_BEFORE).setPosition(1).setLimit(3).build());
        assertThat(offsets(oldest)).containsExactly(0L);
        assertThat(oldest.getHasMore()).isFalse();

        ReadResponse after = stub.read(read("chat:lobby", ReadDirection.READ_AFTER).setPosition(0).setLimit(4)
                .setEpoch(epoch).build());
        assertThat(offsets(after)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(after.getHasMore()).isTrue();
        ReadResponse rest = stub.read(read("chat:lobby", ReadDirection.READ_AFTER).setPosition(4).build());
        assertThat(offsets(rest)).containsExactly(5L, 6L);
        assertThat(rest.getHasMore()).isFalse();
        ReadResponse fromStart = stub.read(read("chat:lobby", ReadDirection.READ_AFTER).setFromStart(true)
                .setPosition(3).setLimit(2).build());
        assertThat(offsets(fromStart)).as("from_start includes position 0 and ignores position").containsExactly(0L, 1L);
        ReadResponse counted = stub.read(read("chat:lobby", ReadDirection.READ_AFTER).setPosition(0).setUntil(6)
                .setLimit(2).setCount(true).build());
        assertThat(offsets(counted)).containsExactly(1L, 2L);
        assertThat(counted.getCount()).as("1 to 5, beyond the page").isEqualTo(5);
        assertThat(stub.read(read("chat:lobby", ReadDirection.READ_AFTER).setFromStart(true).setCount(true).build())
                .getCount()).as("the whole room, in one page").isEqualTo(7);
        assertThat(after.getCount()).as("not asked").isZero();

        assertThat(codeOf(() -> stub.read(read("chat:nobody", ReadDirection.READ_LATEST).build())))
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(codeOf(() -> stub.read(read("bad room", ReadDirection.READ_LATEST).build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(codeOf(() -> stub.read(read("chat:lobby", ReadDirection.READ_LATEST).setLimit(1001).build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);

        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.metricsPort() + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("switchboard_history_records_ingested_total 8.0")
                .contains("switchboard_history_reads_total{outcome=\"not_found\"} 1.0");
    }

    @Test
    void isReadyAndServingOnlyOnceItHoldsTheLogFoundAtStartup() throws Exception {
        // What a restarted replica must not do: take reads (and answer them short) while it is behind its peers.
        newTopic(2);
        long now = System.currentTimeMillis();
        for (int i = 0; i < 300; i++) {
            publish(topic, i % 2 == 0 ? "chat:even" : "chat:odd", "m-" + i, now);
        }
        HistoryServer server = start(config(dir).build());

        // Ready: no waiting for ingestion from here on.
        assertThat(server.store().room("chat:even").orElseThrow().count()).isEqualTo(150);
        assertThat(server.store().room("chat:odd").orElseThrow().count()).isEqualTo(150);
        ManagedChannel channel = closeables.plaintextChannel(server.port());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(HealthGrpc.newBlockingStub(channel)
                .check(HealthCheckRequest.newBuilder().setService(HistoryServiceGrpc.SERVICE_NAME).build())
                .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING));
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body()).contains("switchboard_history_caught_up 1.0");
    }

    @Test
    void epochMismatchIsFailedPrecondition() {
        newTopic(2);
        publish(topic, "chat:a", "m", System.currentTimeMillis());
        HistoryServer server = start(config(dir).build());
        awaitIngested(server, "chat:a", 1);
        var stub = client(server);
        assertThatThrownBy(() -> stub.read(read("chat:a", ReadDirection.READ_AFTER).setEpoch("old-topic:0").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).contains("old-topic:0");
                });
    }

    @Test
    void untilGivesUpWithUnavailableAfterTheLongestReadWait() {
        newTopic(1);
        long first = publish(topic, "chat:w", "m-0", System.currentTimeMillis());
        // The server's own bound decides, not a race against the caller's deadline (the caller waits long).
        HistoryServer server = start(config(dir).set(HistoryKeys.MAX_READ_WAIT, Duration.ofMillis(200)).build());
        awaitIngested(server, "chat:w", 1);
        var stub = client(server);

        // Nothing is ever published at offset 1, so ingestion never reaches until.
        assertThat(codeOf(() -> stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .read(read("chat:w", ReadDirection.READ_AFTER).setPosition(first).setUntil(first + 3).build())))
                .isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void untilWaitsForIngestion() throws Exception {
        newTopic(1);
        long first = publish(topic, "chat:w", "m-0", System.currentTimeMillis());
        HistoryServer server = start(config(dir).build());
        awaitIngested(server, "chat:w", 1);
        var stub = client(server);

        CompletableFuture<ReadResponse> pending = CompletableFuture.supplyAsync(() ->
                stub.withDeadlineAfter(20, TimeUnit.SECONDS).read(read("chat:w", ReadDirection.READ_AFTER)
                        .setPosition(first).setUntil(first + 3).build()));
        // The read starts before the messages exist; it must not answer with what is stored now.
        publish(topic, "chat:w", "m-1", System.currentTimeMillis());
        publish(topic, "chat:w", "m-2", System.currentTimeMillis());
        publish(topic, "chat:w", "m-3", System.currentTimeMillis());
        ReadResponse response = pending.get(30, TimeUnit.SECONDS);
        assertThat(offsets(response)).containsExactly(first + 1, first + 2);
        assertThat(response.getHasMore()).isFalse();
    }

    @Test
    void retentionByCountAndAgeAnswersOutOfRange() {
        newTopic(1);
        MutableClock clock = new MutableClock(Instant.now());
        long t0 = clock.millis();
        for (int i = 0; i < 5; i++) {
            publish(topic, "chat:count", "c-" + i, t0);
        }
        for (int i = 0; i < 3; i++) {
            publish(topic, "temp:age", "a-" + i, t0 - 3_600_000 + i); // an hour old
        }
        long fresh = publish(topic, "temp:age", "a-new", t0);
        HistoryServer server = start(config(dir).set(HistoryKeys.MAX_MESSAGES, 3L)
                .set(HistoryKeys.NAMESPACE_MAX_AGE, "temp", Duration.ofMinutes(30)).build(), clock);
        awaitIngested(server, "temp:age", 4);
        var stub = client(server);

        assertThat(server.sweepRetention()).isEqualTo(2 + 3);
        ReadResponse kept = stub.read(read("chat:count", ReadDirection.READ_LATEST).build());
        assertThat(offsets(kept)).containsExactly(2L, 3L, 4L);
        assertThat(kept.getOldestPosition()).isEqualTo(2);
        assertThatThrownBy(() -> stub.read(read("chat:count", ReadDirection.READ_AFTER).setPosition(0).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
                    assertThat(e.getStatus().getDescription()).contains("oldest retained position: 2");
                });
        assertThat(offsets(stub.read(read("chat:count", ReadDirection.READ_AFTER).setPosition(1).build())))
                .containsExactly(2L, 3L, 4L);

        assertThat(offsets(stub.read(read("temp:age", ReadDirection.READ_LATEST).build()))).containsExactly(fresh);
        assertThat(codeOf(() -> stub.read(read("temp:age", ReadDirection.READ_AFTER).setPosition(fresh - 2).build())))
                .isEqualTo(Status.Code.OUT_OF_RANGE);

        clock.advance(Duration.ofHours(1));
        server.sweepRetention();
        assertThat(codeOf(() -> stub.read(read("temp:age", ReadDirection.READ_LATEST).build())))
                .isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void restartKeepsEverythingAndContinuesWithoutDuplicates() {
        newTopic(1);
        for (int i = 0; i < 3; i++) {
            publish(topic, "chat:r", "m-" + i, System.currentTimeMillis());
        }
        Path data = dir.resolve("data");
        HistoryServer first = start(config(data).build());
        awaitIngested(first, "chat:r", 3);
        first.close();
        assertThatThrownBy(first::start).isInstanceOf(IllegalStateException.class);

        publish(topic, "chat:r", "m-3", System.currentTimeMillis());
        HistoryServer second = start(config(data).build());
        awaitIngested(second, "chat:r", 4);
        var stub = client(second);
        ReadResponse all = stub.read(read("chat:r", ReadDirection.READ_LATEST).build());
        assertThat(offsets(all)).containsExactly(0L, 1L, 2L, 3L);
        assertThat(all.getMessagesList()).extracting(Envelope::getId).containsExactly("m-0", "m-1", "m-2", "m-3");
        // Resumed from the stored offset, not re-ingested from the start.
        await().atMost(Duration.ofSeconds(10)).until(() -> second.store().progress().get(0).nextOffset() == 4);
        assertThat(second.store().room("chat:r").orElseThrow().count()).isEqualTo(4);
        assertThat(second.store().progress().get(0).ingestStart()).isZero();
    }

    @Test
    void anotherTopicIdWipesTheStore() {
        newTopic(1);
        publish(topic, "chat:old", "m-0", System.currentTimeMillis());
        Path data = dir.resolve("data");
        HistoryServer first = start(config(data).build());
        awaitIngested(first, "chat:old", 1);
        first.close();

        newTopic(1); // a different topic id: as if the topic had been recreated
        publish(topic, "chat:new", "n-0", System.currentTimeMillis());
        HistoryServer second = start(config(data).build());
        awaitIngested(second, "chat:new", 1);
        assertThat(second.store().topicId()).contains(second.topic().topicId());
        assertThat(second.store().room("chat:old")).isEmpty();
    }
}
