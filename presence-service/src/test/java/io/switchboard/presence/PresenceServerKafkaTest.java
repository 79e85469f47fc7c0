package io.switchboard.presence;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.kafka.embedded.EmbeddedKafkaExtension;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.ReportResponse;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.UserPresence;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import io.switchboard.service.KafkaKeys;
import io.switchboard.testkit.OpenedResources;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.switchboard.presence.state.Changes.connection;
import static io.switchboard.presence.state.Changes.joined;
import static io.switchboard.presence.state.Changes.opened;
import static io.switchboard.presence.state.Changes.report;
import static io.switchboard.presence.state.Changes.sync;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The presence service over real gRPC on loopback, writing to a real embedded Kafka broker. */
class PresenceServerKafkaTest {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @AutoClose
    private final OpenedResources closeables = new OpenedResources();
    private final List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
    private KafkaConsumer<byte[], byte[]> consumer;

    private PresenceServer start(String topic, Duration lease) {
        PresenceConfig config = PresenceConfig.builder().set(PresenceKeys.ID, "p1").set(PresenceKeys.GRPC_PORT, 0)
                .set(PresenceKeys.METRICS_PORT, 0).set(PresenceKeys.LEASE_TTL, lease)
                .set(PresenceKeys.DELTA_INTERVAL, Duration.ofMillis(100))
                .set(KafkaKeys.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers()).set(KafkaKeys.PRESENCE_TOPIC_NAME, topic)
                .set(KafkaKeys.PRESENCE_TOPIC_PARTITIONS, 2).set(PresenceKeys.STARTUP_TIMEOUT, Duration.ofSeconds(20))
                .set(PresenceKeys.SHUTDOWN_GRACE, Duration.ofSeconds(1)).build();
        PresenceServer server = PresenceServer.create(config, new PrometheusRegistry());
        closeables.add(server);
        server.start();
        // Assigned, not subscribed: no group rebalance to wait for. The service created the topic at start.
        consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers(),
                "auto.offset.reset", "earliest", "enable.auto.commit", "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        closeables.add(() -> consumer.close(CloseOptions.timeout(Duration.ofSeconds(5))));
        consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)));
        return server;
    }

    private PresenceServiceGrpc.PresenceServiceBlockingStub client(PresenceServer server) {
        ManagedChannel channel = closeables.plaintextChannel(server.port());
        return PresenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** Polls the presence topic once and returns every record seen so far. */
    private List<PresenceRecord> poll() throws Exception {
        consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
        List<PresenceRecord> records = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : seen) {
            PresenceRecord record = PresenceRecord.parseFrom(r.value());
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertThat(key).isEqualTo(record.hasRoom() ? "room:" + record.getRoom().getRoom()
                    : "user:" + record.getUser().getUserId());
            records.add(record);
        }
        return records;
    }

    private static List<PresenceEvent> roomEvents(List<PresenceRecord> records, String room) {
        return records.stream().filter(PresenceRecord::hasRoom).map(PresenceRecord::getRoom)
                .filter(e -> e.getRoom().equals(room)).toList();
    }

    private static List<UserPresence> userRecords(List<PresenceRecord> records, String user) {
        return records.stream().filter(PresenceRecord::hasUser).map(PresenceRecord::getUser)
                .filter(u -> u.getUserId().equals(user)).toList();
    }

    @Test
    void reportsBecomeRecordsAndAnExpiredLeaseTakesItsUsersOffline() throws Exception {
        PresenceServer server = start("presence-test-lease", Duration.ofSeconds(2));
        var presence = client(server);

        // Both gateways first learn that they must sync (the service knows nothing about them).
        ReportResponse first = presence.report(report("gw-a", "inc-1", 1, opened("a1", "alice")));
        assertThat(first.getResyncRequired()).isTrue();
        assertThat(first.getLeaseMs()).isEqualTo(2000);
        presence.sync(sync("gw-a", "inc-1", 0));
        presence.sync(sync("gw-b", "inc-1", 0, connection("b0", "bob", "chat:lobby")));
        assertThat(presence.report(report("gw-a", "inc-1", 1, opened("a1", "alice"), joined("a1", "chat:lobby")))
                .getResyncRequired()).isFalse();

        // Both gateways heartbeat (one report each per poll) while the records are awaited.
        AtomicLong seqA = new AtomicLong(1);
        AtomicLong seqB = new AtomicLong(0);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertThat(presence.report(report("gw-a", "inc-1", seqA.incrementAndGet())).getResyncRequired()).isFalse();
            assertThat(presence.report(report("gw-b", "inc-1", seqB.incrementAndGet())).getResyncRequired()).isFalse();
            List<PresenceRecord> records = poll();
            return roomEvents(records, "chat:lobby").stream().flatMap(e -> e.getJoinedList().stream())
                    .map(Member::getUserId).toList().containsAll(List.of("alice", "bob"))
                    && !userRecords(records, "alice").isEmpty() && !userRecords(records, "bob").isEmpty();
        });
        assertThat(userRecords(poll(), "alice").getLast().getStatus()).isEqualTo(PresenceStatus.ONLINE);
        RoomMembersResponse page = presence.roomMembers(RoomMembersRequest.newBuilder().setRoom("chat:lobby").build());
        assertThat(page.getMembersList()).extracting(Member::getUserId).containsExactly("alice", "bob");
        // The page shows the room as of a record on the topic: same epoch, a version some record reached.
        List<PresenceEvent> lobby = roomEvents(poll(), "chat:lobby");
        assertThat(page.getEpoch()).isNotEmpty().isEqualTo(lobby.getFirst().getEpoch());
        assertThat(lobby).extracting(PresenceEvent::getVersion).contains(page.getVersion());

        // gw-b falls silent; gw-a keeps heartbeating (one report per poll) and outlives its lease.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertThat(presence.report(report("gw-a", "inc-1", seqA.incrementAndGet())).getResyncRequired()).isFalse();
            List<PresenceRecord> records = poll();
            return roomEvents(records, "chat:lobby").stream().anyMatch(e -> e.getLeftList().contains("bob"))
                    && userRecords(records, "bob").getLast().getStatus() == PresenceStatus.OFFLINE;
        });
        PresenceEvent leave = roomEvents(poll(), "chat:lobby").stream()
                .filter(e -> e.getLeftList().contains("bob")).findFirst().orElseThrow();
        assertThat(leave.getUsers()).isEqualTo(1);
        assertThat(leave.getConnections()).isEqualTo(1);
        // Each of the room's records continues where the previous one left it, the first from nothing.
        List<PresenceEvent> chain = roomEvents(poll(), "chat:lobby");
        assertThat(chain.getFirst().getFromVersion()).isZero();
        for (int i = 1; i < chain.size(); i++) {
            assertThat(chain.get(i).getFromVersion()).isEqualTo(chain.get(i - 1).getVersion());
            assertThat(chain.get(i).getEpoch()).isEqualTo(chain.getFirst().getEpoch());
        }
        assertThat(presence.report(report("gw-a", "inc-1", seqA.incrementAndGet())).getResyncRequired()).isFalse();
        List<UserPresence> now = presence.userPresence(UserPresenceRequest.newBuilder().addUserIds("alice")
                .addUserIds("bob").build()).getUsersList();
        assertThat(now).extracting(UserPresence::getStatus).containsExactly(PresenceStatus.ONLINE, PresenceStatus.OFFLINE);
        assertThat(now.getFirst().getConnections(0).getGatewayId()).isEqualTo("gw-a");
        assertThat(presence.report(report("gw-b", "inc-1", seqB.incrementAndGet())).getResyncRequired()).isTrue();
        assertThat(server.metrics().written("room")).isPositive();
        assertThat(server.metrics().written("user")).isPositive();

        // Now gw-a falls silent too: the gauges follow the model down to nothing.
        await().atMost(Duration.ofSeconds(20)).until(() -> metricsText(server).contains("switchboard_presence_gateways 0.0"));
        assertThat(metricsText(server)).contains("switchboard_presence_users_online 0.0")
                .contains("switchboard_presence_rooms 0.0")
                .contains("switchboard_presence_lease_expiries_total 2.0");
    }

    @Test
    void invalidRequestsAreRejectedWithADescriptionAndChangeNothing() {
        PresenceServer server = start("presence-test-invalid", Duration.ofSeconds(5));
        var presence = client(server);
        presence.sync(sync("gw-a", "inc-1", 0));

        assertThatThrownBy(() -> presence.report(report("gw-a", "inc-1", 1, opened("a1", "alice"),
                joined("a1", "bad room"))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("changes[1].joined.room: 'bad room'");
                });
        assertThatThrownBy(() -> presence.roomMembers(RoomMembersRequest.newBuilder().setRoom("chat:a")
                .setLimit(1001).build()))
                .hasMessageContaining("INVALID_ARGUMENT: limit: 1001 (expected: 0-1000)");
        assertThatThrownBy(() -> presence.sync(sync("gw-a", "inc-1", 0, connection("s1", "u"), connection("s1", "v"))))
                .hasMessageContaining("connections[1].session_id: 's1' (expected: unique in the snapshot)");
        // Nothing of the rejected batch was applied, and seq 1 is still the next one.
        assertThat(presence.userPresence(UserPresenceRequest.newBuilder().addUserIds("alice").build())
                .getUsers(0).getStatus()).isEqualTo(PresenceStatus.OFFLINE);
        assertThat(presence.report(report("gw-a", "inc-1", 1)).getResyncRequired()).isFalse();
    }

    private static String metricsText(PresenceServer server) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
