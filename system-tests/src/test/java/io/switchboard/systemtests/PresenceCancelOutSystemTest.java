package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.switchboard.client.MemberList;
import io.switchboard.client.Subscription;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The case behind the demo's disappearing user, end to end: a user's old connection leaves and their new one (on
 * the other gateway) joins within one presence batch, so the two cancel out and no event is written, while the
 * new connection reads the member list after the presence service applied the leave but before it heard of the
 * join. Without a leave grace (so that the batch really nets out) and with a long batch interval (so that both
 * fall into one), every client's list must still show the user, on both gateways.
 */
class PresenceCancelOutSystemTest {
    private static LocalCluster cluster;
    private static ManagedChannel presenceChannel;
    private final List<SwitchboardClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        cluster = SystemCluster.builder(false)
                .set("presence.leave-grace", "PT0S")
                .set("presence.delta-interval", "PT2S")
                .build()
                .start();
        presenceChannel = ManagedChannelBuilder.forAddress("127.0.0.1", cluster.presence().port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        SystemCluster.shutdown(presenceChannel);
        if (cluster != null) {
            cluster.close();
        }
    }

    private Subscription join(String user, int gateway, String room) {
        SwitchboardClient client = SwitchboardClient.builder().url(cluster.webSocketUri(gateway))
                .tokenProvider(() -> CompletableFuture.completedFuture(SystemCluster.USERS.token(user, "cancel-out:*"))).build();
        clients.add(client);
        client.connect().join();
        return client.subscribe(room, true, message -> { });
    }

    private static List<String> shown(Subscription subscription) {
        MemberList list = subscription.members().orElseThrow();
        return list.members().stream().map(m -> m.getUserId() + " x" + m.getDevices()).toList();
    }

    /** True once the presence service's live state (not yet the records) no longer has a connection of {@code user}. */
    private static boolean gone(String user) {
        return PresenceServiceGrpc.newBlockingStub(presenceChannel)
                .userPresence(UserPresenceRequest.newBuilder().addUserIds(user).build())
                .getUsers(0).getConnectionsCount() == 0;
    }

    @Test
    void aUsersLeaveAndJoinInOneBatchLeaveEveryListCorrect() {
        String room = "cancel-out:" + System.nanoTime();
        List<String> everyone = List.of("alice x1", "bob x1", "carol x1");
        try {
            Subscription alice = join("alice", 0, room);
            Subscription carol = join("carol", 1, room);
            SwitchboardClient bobClient = null;
            Subscription bob = join("bob", 0, room);
            bobClient = clients.getLast();
            for (Subscription s : List.of(alice, carol, bob)) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(shown(s)).isEqualTo(everyone));
            }
            for (int reload = 1; reload <= 3; reload++) {
                bobClient.close();
                await().atMost(Duration.ofSeconds(30)).until(() -> gone("bob"));
                // bob's new page subscribes on the other gateway and reads at once: before its gateway reports him.
                bob = join("bob", reload % 2, room);
                bobClient = clients.getLast();
                for (Subscription s : List.of(alice, carol, bob)) {
                    int n = reload;
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(shown(s))
                            .as("reload %d: %s", n, s.room()).isEqualTo(everyone));
                }
            }
            assertThat(bob.members().orElseThrow().members()).extracting(Member::getUserId).contains("bob");
        } finally {
            clients.forEach(SwitchboardClient::close);
        }
    }
}
