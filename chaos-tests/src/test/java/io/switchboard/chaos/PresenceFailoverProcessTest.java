package io.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.internal.v1.ControlRecord;
import io.switchboard.proto.internal.v1.ControlRequest;
import io.switchboard.proto.internal.v1.DisconnectCommand;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.testkit.TestTokens;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two sharded presence instances (presence.shards.enabled), killed with SIGKILL while clients stay connected: first
 * the owner of the watched room's shard (a handover), then, after it came back and took shards again, the instance
 * that does not own the room (only lookups and reports fail over). What users see is checked after each kill: member
 * lists are right again within bounded time (pages, and an event that tells a client holding the old list to read
 * again), direct messages reach a user who connected after the kill, a backend's disconnect closes a connection the
 * dead instance never knew, and nobody who left stays listed.
 */
class PresenceFailoverProcessTest {
    private static final String SECRET = "presence-failover-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final String ROOM = "presence:failover";
    /** The group's session timeout (3 s), a rebalance, a delta interval, the leave grace and a loaded machine. */
    private static final Duration RECOVERY = Duration.ofSeconds(60);

    @AutoClose
    private static ProcessCluster cluster;
    private static ManagedChannel router;

    private final List<PresenceTestClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        cluster = ProcessCluster.start(new ProcessCluster.Options(1, 1, 2, false, true, false, false, SECRET)
                .withPresenceInstances(2).withPresence("leave-grace", "PT1S"));
        router = ManagedChannelBuilder.forTarget(cluster.routerAddresses().getFirst()).usePlaintext().build();
    }

    @AfterAll
    static void closeRouterChannel() throws InterruptedException {
        if (router != null) {
            router.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void killingEitherInstanceKeepsMemberListsDirectMessagesAndDisconnectsWorking() {
        try {
            URI gateway1 = cluster.webSocketUris().get(0);
            URI gateway2 = cluster.webSocketUris().get(1);
            PresenceTestClient.Room r = PresenceTestClient.Room.join(cluster.webSocketUris(), TOKENS, ROOM, clients);
            PresenceTestClient watcher = r.watcher();
            PresenceTestClient dave = r.dave();
            await().atMost(RECOVERY).ignoreExceptions().untilAsserted(() ->
                    assertThat(watcher.memberIds()).containsExactly("ann", "ben", "dave", "watcher"));

            assertThat(cluster.presences()).hasSize(2);
            int owner = await().atMost(RECOVERY).until(PresenceFailoverProcessTest::roomOwner, o -> o >= 0);
            ServiceProcess victim = cluster.presences().get(owner);
            killAndCheck(victim, 1, watcher, r.ben(), gateway1, gateway2, dave, List.of("ann", "dave", "watcher"));

            // The owner comes back; once both instances own shards again, the one not owning the room dies.
            cluster.restart(victim.name());
            await().atMost(RECOVERY).until(() -> roomOwner() >= 0 && ownsSomeShard(owner));
            int notOwner = 1 - roomOwner();
            killAndCheck(cluster.presences().get(notOwner), 2, watcher, r.ann(), gateway1, gateway2, dave,
                    List.of("dave", "watcher"));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nservice logs:\n" + cluster.logs(), e);
        } finally {
            clients.forEach(PresenceTestClient::close);
        }
    }

    /** The index of the one instance that answers the room's member pages (its shard's owner), or -1. */
    private static int roomOwner() {
        List<Integer> answering = new ArrayList<>();
        List<String> addresses = cluster.presenceAddresses();
        for (int i = 0; i < addresses.size(); i++) {
            if (answers(addresses.get(i), ROOM)) {
                answering.add(i);
            }
        }
        return answering.size() == 1 ? answering.getFirst() : -1;
    }

    /** Whether instance {@code index} owns at least one shard: it answers the pages of some room. */
    private static boolean ownsSomeShard(int index) {
        return ask(cluster.presenceAddresses().get(index),
                channel -> IntStream.range(0, 100).anyMatch(i -> answers(channel, "probe-" + i)));
    }

    private static boolean answers(String address, String room) {
        return ask(address, channel -> answers(channel, room));
    }

    private static boolean ask(String address, Predicate<ManagedChannel> question) {
        ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().build();
        try {
            return question.test(channel);
        } finally {
            channel.shutdownNow();
        }
    }

    /** Whether the instance behind {@code channel} answers the room's member pages (owns its shard, warmed up). */
    private static boolean answers(ManagedChannel channel, String room) {
        try {
            PresenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .roomMembers(RoomMembersRequest.newBuilder().setRoom(room).setLimit(1).build());
            return true;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    /**
     * Kills {@code victim}; meanwhile {@code leaver} leaves and {@code erin<round>} joins; then checks the lists,
     * a direct message to a user who connected after the kill, and a backend's disconnect of erin.
     */
    private void killAndCheck(ServiceProcess victim, int round, PresenceTestClient watcher, PresenceTestClient leaver, URI gateway1,
                              URI gateway2, PresenceTestClient sender, List<String> membersAfter) {
        String pageEpoch = watcher.presencePage("", 100).getEpoch();
        int eventsBefore = watcher.events().size();
        long killed = System.nanoTime();
        victim.kill();

        leaver.close();
        String erinId = "erin" + round;
        PresenceTestClient erin = PresenceTestClient.connect(gateway1, erinId, TOKENS, ROOM, clients);
        erin.subscribe(false);
        PresenceTestClient fay = PresenceTestClient.connect(gateway2, "fay" + round, TOKENS, ROOM, clients);

        List<String> withErin = new ArrayList<>(membersAfter);
        withErin.add(erinId);
        withErin.sort(String::compareTo);
        // A client that only reads pages sees the truth...
        await().atMost(RECOVERY).ignoreExceptions().pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(watcher.memberIds()).containsExactlyElementsOf(withErin));
        long listsRight = System.nanoTime();
        // ...and one that keeps its list from events is told: the leaver left, or a new epoch makes it read again.
        await().atMost(RECOVERY).ignoreExceptions().untilAsserted(() -> assertThat(watcher.events().subList(eventsBefore,
                watcher.events().size())).anyMatch(e -> !e.getEpoch().equals(pageEpoch)
                || e.getLeftList().contains(leaver.user())));

        // A direct message to a user who connected after the kill: the router's lookup is answered by the survivor.
        await().atMost(RECOVERY).ignoreExceptions().pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String id = "dm-" + round + "-" + System.nanoTime();
            Ack ack = sender.direct(fay.user(), id);
            assertThat(ack.getDevices()).isEqualTo(1);
            fay.await(f -> f.hasUserMessage() && f.getUserMessage().getId().equals(id), Duration.ofSeconds(5));
        });

        long directDelivered = System.nanoTime();
        // A backend's disconnect of erin, whom only the surviving instance has known.
        await().atMost(RECOVERY).ignoreExceptions().pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            int connections = RouterServiceGrpc.newBlockingStub(router).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .sendControl(ControlRequest.newBuilder().setRecord(ControlRecord.newBuilder()
                            .setDisconnect(DisconnectCommand.newBuilder().setUserId(erinId).setCode(3503).setReason("bye")))
                            .build()).getConnections();
            assertThat(connections).isEqualTo(1);
        });
        assertThat(erin.ws().awaitClose(RECOVERY).code()).isEqualTo(3503);
        // Reported, not asserted: how long users waited after the kill (includes the clients' own polling).
        System.out.printf("presence failover round %d (%s killed): lists right after %d ms, a direct message after"
                        + " %d ms, a disconnect after %d ms%n", round, victim.name(),
                (listsRight - killed) / 1_000_000, (directDelivered - killed) / 1_000_000,
                (System.nanoTime() - killed) / 1_000_000);

        // No ghosts: the disconnected user leaves once the (shortened) leave grace passes.
        await().atMost(RECOVERY).ignoreExceptions().pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(watcher.memberIds()).containsExactlyElementsOf(membersAfter));
        fay.close();
    }
}
