package io.switchboard.router;

import static io.switchboard.router.RouterKeys.GRPC_PORT;
import static io.switchboard.router.RouterKeys.ID;
import static io.switchboard.router.RouterKeys.METRICS_PORT;
import static io.switchboard.router.RouterKeys.PRESENCE_ADDRESS;
import static io.switchboard.router.RouterKeys.STARTUP_TIMEOUT;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.switchboard.kafka.embedded.EmbeddedKafkaExtension;
import io.switchboard.proto.internal.v1.CloseRoomCommand;
import io.switchboard.proto.internal.v1.ControlRecord;
import io.switchboard.proto.internal.v1.ControlRequest;
import io.switchboard.proto.internal.v1.DisconnectCommand;
import io.switchboard.proto.internal.v1.EphemeralRecord;
import io.switchboard.proto.internal.v1.EphemeralRequest;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.proto.internal.v1.SendToUserRequest;
import io.switchboard.proto.internal.v1.SendToUserResponse;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.proto.internal.v1.SubscribeCommand;
import io.switchboard.proto.internal.v1.UnsubscribeCommand;
import io.switchboard.proto.internal.v1.UserPresence;
import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.ConfigBuilder;
import io.switchboard.testkit.MutableClock;
import io.switchboard.testkit.OpenedResources;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInfo;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.switchboard.router.Envelopes.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * PublishEphemeral, SendToUser and SendControl through a real router (called over its in-process name, as the
 * public API does) against one real Kafka broker, with a PresenceService fake on loopback gRPC at the presence
 * seam. Each test has its own topics.
 */
class RouterEventsKafkaTest {
    private static final Instant T0 = Instant.parse("2026-03-04T05:06:07.008Z");
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @AutoClose
    private final OpenedResources resources = new OpenedResources();
    private final FakePresence presence = new FakePresence();
    private final MutableClock clock = new MutableClock(T0);
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private String suffix;
    private RouterServer router;
    private ManagedChannel channel;

    @Test
    void sendToUserWritesOneDeliveryForTheUsersGatewaysAndDeduplicatesRetries(TestInfo test) {
        start(test, true);
        presence.connect("bob", "s-1", "gw-1", "s-2", "gw-2", "s-3", "gw-1");
        SendToUserRequest message = SendToUserRequest.newBuilder().setUserId("bob").setId("dm-1")
                .setSender(Sender.newBuilder().setUserId("service:billing"))
                .setPayload(ByteString.copyFromUtf8("hello")).setContentType("text/plain").build();

        SendToUserResponse first = call(RouterServiceGrpc.getSendToUserMethod(), message);
        SendToUserResponse retry = call(RouterServiceGrpc.getSendToUserMethod(), message);

        assertThat(first.getDevices()).isEqualTo(3);
        assertThat(first.getDuplicate()).isFalse();
        assertThat(retry.getDevices()).isEqualTo(3);
        assertThat(retry.getDuplicate()).isTrue();
        List<ConsumerRecord<byte[], byte[]>> records = TopicReader.readAll(KAFKA.bootstrapServers(), control());
        assertThat(records).singleElement().satisfies(record -> {
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("bob");
            assertThat(record.timestamp()).isEqualTo(T0.toEpochMilli());
            ControlRecord control = controlRecord(record);
            assertThat(control.getGatewayIdsList()).containsExactly("gw-1", "gw-2");
            assertThat(control.getTime()).isEqualTo(PublishService.timestamp(T0));
            assertThat(control.getDeliver().getUserId()).isEqualTo("bob");
            assertThat(control.getDeliver().getId()).isEqualTo("dm-1");
            assertThat(control.getDeliver().getSender().getUserId()).isEqualTo("service:billing");
            assertThat(control.getDeliver().getPayload().toStringUtf8()).isEqualTo("hello");
            assertThat(control.getDeliver().getContentType()).isEqualTo("text/plain");
        });
        assertThat(counter("switchboard_router_direct_messages", Map.of("outcome", "duplicate"))).isEqualTo(1.0);
    }

    @Test
    void sendToUserOfAnOfflineUserWritesNothing(TestInfo test) {
        start(test, true);

        SendToUserResponse response = call(RouterServiceGrpc.getSendToUserMethod(), SendToUserRequest.newBuilder()
                .setUserId("nobody").setId("dm-1").setSender(Sender.newBuilder().setUserId("alice")).build());

        assertThat(response.getDevices()).isZero();
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), control())).isEmpty();
    }

    @Test
    void aFailedLookupIsUnavailableAndARetrySendsAgain(TestInfo test) {
        start(test, true);
        SendToUserRequest message = SendToUserRequest.newBuilder().setUserId("bob").setId("dm-1")
                .setSender(Sender.newBuilder().setUserId("alice")).build();
        presence.failWith(Status.INTERNAL.withDescription("boom"));

        assertThatThrownBy(() -> call(RouterServiceGrpc.getSendToUserMethod(), message))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).isEqualTo("presence lookup failed: INTERNAL boom");
                });
        presence.failWith(null);
        presence.connect("bob", "s-1", "gw-1");

        SendToUserResponse retry = call(RouterServiceGrpc.getSendToUserMethod(), message);
        assertThat(retry.getDuplicate()).isFalse();
        assertThat(retry.getDevices()).isEqualTo(1);
    }

    @Test
    void aUserRecordOnThePresenceTopicInvalidatesTheCachedLookup(TestInfo test) throws Exception {
        // The router starts before the presence topic exists: its listener must wait for it.
        start(test, true);
        presence.connect("carol", "s-1", "gw-1");
        assertThat(call(RouterServiceGrpc.getSendToUserMethod(), direct("carol", "dm-1")).getDevices()).isEqualTo(1);
        presence.connect("carol", "s-1", "gw-1", "s-2", "gw-3");
        assertThat(call(RouterServiceGrpc.getSendToUserMethod(), direct("carol", "dm-2")).getDevices())
                .as("served from the cache").isEqualTo(1);
        assertThat(presence.lookups("carol")).isEqualTo(1);

        KAFKA.kafka().createTopic(presenceTopic(), 2, (short) 1);
        await().atMost(Duration.ofSeconds(30)).until(router::presenceListenerAssigned);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            PresenceRecord record = PresenceRecord.newBuilder()
                    .setUser(UserPresence.newBuilder().setUserId("carol")).build();
            producer.send(new ProducerRecord<>(presenceTopic(), "user:carol".getBytes(StandardCharsets.UTF_8),
                    record.toByteArray())).get(10, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> counter("switchboard_router_presence_invalidations", Map.of()) == 1.0);

        assertThat(call(RouterServiceGrpc.getSendToUserMethod(), direct("carol", "dm-3")).getDevices()).isEqualTo(2);
        assertThat(presence.lookups("carol")).isEqualTo(2);
    }

    @Test
    void publishEphemeralWritesToTheEphemeralTopicOnlyAndThrottles(TestInfo test) {
        start(test, false);
        EphemeralRequest typing = ephemeral("chat:lobby", "typing", false);

        assertThat(call(RouterServiceGrpc.getPublishEphemeralMethod(), typing).getAccepted()).isTrue();
        assertThat(call(RouterServiceGrpc.getPublishEphemeralMethod(), typing).getAccepted()).as("throttled").isFalse();
        assertThat(call(RouterServiceGrpc.getPublishEphemeralMethod(), ephemeral("chat:lobby", "typing", true))
                .getAccepted()).as("stop always passes").isTrue();
        clock.advance(Duration.ofSeconds(1));
        assertThat(call(RouterServiceGrpc.getPublishEphemeralMethod(), typing).getAccepted()).isTrue();
        // A publish after them on the rooms topic proves by its offset that nothing else went there.
        RouterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .publish(request("chat:lobby", "m-1"));

        List<ConsumerRecord<byte[], byte[]>> records = TopicReader.readAll(KAFKA.bootstrapServers(), ephemeral());
        assertThat(records).hasSize(3).allSatisfy(record ->
                assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("chat:lobby"));
        EphemeralRecord first = ephemeralRecord(records.getFirst());
        assertThat(first.toBuilder().clearTtlMs().clearTime().build()).isEqualTo(typing.getEvent());
        assertThat(first.getTtlMs()).isEqualTo(6_000);
        assertThat(first.getTime()).isEqualTo(PublishService.timestamp(T0));
        assertThat(records).extracting(r -> ephemeralRecord(r).getStop()).containsExactly(false, true, false);
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), rooms()))
                .extracting(r -> TopicReader.envelope(r).getId()).containsExactly("m-1");
        assertThat(counter("switchboard_router_ephemeral", Map.of("outcome", "throttled"))).isEqualTo(1.0);
    }

    @Test
    void invalidRequestsAreRejectedWithTheField(TestInfo test) {
        start(test, false);

        assertInvalid(RouterServiceGrpc.getPublishEphemeralMethod(), ephemeral("chat:lobby", "typing!", false), "kind: ");
        assertInvalid(RouterServiceGrpc.getPublishEphemeralMethod(), ephemeral("bad room", "typing", false), "room: ");
        EphemeralRequest big = ephemeral("chat:lobby", "typing", false);
        assertInvalid(RouterServiceGrpc.getPublishEphemeralMethod(), big.toBuilder().setEvent(big.getEvent().toBuilder()
                .setPayload(ByteString.copyFrom(new byte[1025]))).build(), "payload: 1025 bytes");
        assertInvalid(RouterServiceGrpc.getSendControlMethod(), ControlRequest.newBuilder().setRecord(ControlRecord
                .newBuilder().setDisconnect(DisconnectCommand.newBuilder().setUserId("bob").setCode(1000))).build(),
                "disconnect.code: 1000");
        assertInvalid(RouterServiceGrpc.getSendToUserMethod(), direct("bob", "bad id"), "id: ");
    }

    @Test
    void withoutPresenceSendToUserAndLookedUpDisconnectsAreUnavailable(TestInfo test) {
        start(test, false);
        ControlRequest disconnect = ControlRequest.newBuilder().setRecord(ControlRecord.newBuilder()
                .setDisconnect(DisconnectCommand.newBuilder().setUserId("bob").setCode(3503))).build();

        for (Runnable call : List.<Runnable>of(() -> call(RouterServiceGrpc.getSendToUserMethod(), direct("bob", "dm-1")),
                () -> call(RouterServiceGrpc.getSendControlMethod(), disconnect))) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription()).isEqualTo("presence not configured");
            });
        }
        // With explicit gateways no lookup is needed.
        assertThat(call(RouterServiceGrpc.getSendControlMethod(), disconnect.toBuilder()
                .setRecord(disconnect.getRecord().toBuilder().addGatewayIds("gw-9")).build()).getConnections())
                .isZero();
        assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), control()))
                .extracting(r -> List.copyOf(controlRecord(r).getGatewayIdsList())).containsExactly(List.of("gw-9"));
    }

    @Test
    void sendControlAddressesDisconnectsFromPresenceAndBroadcastsRoomCloses(TestInfo test) {
        start(test, true);
        presence.connect("bob", "s-1", "gw-1", "s-2", "gw-2");
        ControlRecord.Builder disconnect = ControlRecord.newBuilder().setDisconnect(DisconnectCommand.newBuilder()
                .setUserId("bob").setCode(4001).setReason("banned"));

        int all = call(RouterServiceGrpc.getSendControlMethod(), ControlRequest.newBuilder().setRecord(disconnect).build())
                .getConnections();
        int oneSession = call(RouterServiceGrpc.getSendControlMethod(), ControlRequest.newBuilder().setRecord(
                disconnect.clone().setDisconnect(disconnect.getDisconnect().toBuilder().setSessionId("s-2"))).build())
                .getConnections();
        int unknownSession = call(RouterServiceGrpc.getSendControlMethod(), ControlRequest.newBuilder().setRecord(
                disconnect.clone().setDisconnect(disconnect.getDisconnect().toBuilder().setSessionId("s-9"))).build())
                .getConnections();
        int closed = call(RouterServiceGrpc.getSendControlMethod(), ControlRequest.newBuilder().setRecord(ControlRecord
                .newBuilder().setCloseRoom(CloseRoomCommand.newBuilder().setRoom("chat:lobby").setReason("done")))
                .build()).getConnections();

        assertThat(List.of(all, oneSession, unknownSession, closed)).containsExactly(2, 1, 0, 0);
        List<ConsumerRecord<byte[], byte[]>> records = TopicReader.readAll(KAFKA.bootstrapServers(), control());
        assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("bob", "bob", "chat:lobby");
        assertThat(records).extracting(r -> List.copyOf(controlRecord(r).getGatewayIdsList())).containsExactlyInAnyOrder(
                List.of("gw-1", "gw-2"), List.of("gw-2"), List.<String>of());
        assertThat(records).filteredOn(r -> controlRecord(r).hasDisconnect())
                .allSatisfy(r -> assertThat(controlRecord(r).getDisconnect().getReason()).isEqualTo("banned"));
    }

    @Test
    void sendControlAddressesServerSideSubscriptionsFromPresence(TestInfo test) {
        start(test, true);
        presence.connect("carol", "s-1", "gw-1", "s-2", "gw-2");
        int subscribed = call(RouterServiceGrpc.getSendControlMethod(), ControlRequest.newBuilder().setRecord(
                ControlRecord.newBuilder().setSubscribe(SubscribeCommand.newBuilder().setUserId("carol")
                        .setRoom("team:7"))).build()).getConnections();
        int unsubscribed = call(RouterServiceGrpc.getSendControlMethod(), ControlRequest.newBuilder().setRecord(
                ControlRecord.newBuilder().setUnsubscribe(UnsubscribeCommand.newBuilder().setUserId("carol")
                        .setSessionId("s-1").setRoom("team:7").setReason("removed"))).build()).getConnections();
        int offline = call(RouterServiceGrpc.getSendControlMethod(), ControlRequest.newBuilder().setRecord(
                ControlRecord.newBuilder().setSubscribe(SubscribeCommand.newBuilder().setUserId("nobody")
                        .setRoom("team:7"))).build()).getConnections();

        assertThat(List.of(subscribed, unsubscribed, offline)).containsExactly(2, 1, 0);
        List<ConsumerRecord<byte[], byte[]>> records = TopicReader.readAll(KAFKA.bootstrapServers(), control());
        assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("carol", "carol");
        assertThat(records).extracting(r -> List.copyOf(controlRecord(r).getGatewayIdsList()))
                .containsExactlyInAnyOrder(List.of("gw-1", "gw-2"), List.of("gw-1"));
        assertThat(records).extracting(r -> controlRecord(r).getCommandCase())
                .containsExactlyInAnyOrder(ControlRecord.CommandCase.SUBSCRIBE, ControlRecord.CommandCase.UNSUBSCRIBE);
    }

    private void start(TestInfo test, boolean withPresence) {
        suffix = test.getTestMethod().orElseThrow().getName();
        ConfigBuilder<RouterConfig> config = RouterConfig.builder().set(ID, "events-router").set(GRPC_PORT, 0)
                .set(METRICS_PORT, -1).set(KafkaKeys.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers())
                .set(KafkaKeys.TOPIC_NAME, rooms()).set(KafkaKeys.TOPIC_PARTITIONS, 2)
                .set(KafkaKeys.EPHEMERAL_TOPIC_NAME, ephemeral()).set(KafkaKeys.CONTROL_TOPIC_NAME, control())
                .set(KafkaKeys.CONTROL_TOPIC_PARTITIONS, 2).set(KafkaKeys.PRESENCE_TOPIC_NAME, presenceTopic())
                .set(STARTUP_TIMEOUT, Duration.ofSeconds(20));
        if (withPresence) {
            config.set(PRESENCE_ADDRESS, List.of("127.0.0.1:" + startPresence()));
        }
        String name = InProcessServerBuilder.generateName();
        router = RouterServer.builder(config.build(), registry).inProcessName(name).clock(clock).build();
        resources.add(router);
        router.start();
        channel = InProcessChannelBuilder.forName(name).build();
        resources.add(channel::shutdownNow);
    }

    private int startPresence() {
        try {
            Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                    .addService(presence).build().start();
            resources.add(() -> {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            });
            return server.getPort();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <Q, R> R call(MethodDescriptor<Q, R> method, Q request) {
        return ClientCalls.blockingUnaryCall(channel, method,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), request);
    }

    private <Q, R> void assertInvalid(MethodDescriptor<Q, R> method, Q request, String description) {
        assertThatThrownBy(() -> call(method, request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).startsWith(description);
        });
    }

    private double counter(String name, Map<String, String> labels) {
        return registry.scrape().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals(name))
                .flatMap(m -> m.getDataPoints().stream())
                .filter(p -> labels.entrySet().stream().allMatch(l -> l.getValue().equals(p.getLabels().get(l.getKey()))))
                .mapToDouble(p -> ((CounterSnapshot.CounterDataPointSnapshot) p).getValue())
                .sum();
    }

    private static SendToUserRequest direct(String user, String id) {
        return SendToUserRequest.newBuilder().setUserId(user).setId(id)
                .setSender(Sender.newBuilder().setUserId("alice")).build();
    }

    private static EphemeralRequest ephemeral(String room, String kind, boolean stop) {
        return EphemeralRequest.newBuilder().setEvent(EphemeralRecord.newBuilder().setRoom(room).setKind(kind)
                .setStop(stop).setSender(Sender.newBuilder().setUserId("alice").setSessionId("s-1"))
                .setPayload(ByteString.copyFromUtf8("{}"))).build();
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ControlRecord controlRecord(ConsumerRecord<byte[], byte[]> record) {
        try {
            return ControlRecord.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static EphemeralRecord ephemeralRecord(ConsumerRecord<byte[], byte[]> record) {
        try {
            return EphemeralRecord.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String rooms() {
        return "rooms." + suffix;
    }

    private String ephemeral() {
        return "ephemeral." + suffix;
    }

    private String control() {
        return "control." + suffix;
    }

    private String presenceTopic() {
        return "presence." + suffix;
    }
}
