package io.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresencePage;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Presence survives the loss of a gateway and of the presence service itself, each a real process killed with
 * SIGKILL: a dead gateway's users leave once its lease expires, and a restarted (empty) presence service is
 * rebuilt from the gateways' full syncs to exactly the users still connected.
 */
class PresenceProcessTest {
    private static final String SECRET = "presence-process-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    /** presence.lease-ttl (default) plus room for the reaper, the delta interval and Kafka. */
    private static final Duration LEASE_TTL_AND_MARGIN = Duration.ofSeconds(5 + 15);
    private static final Duration RESYNC_WAIT = Duration.ofSeconds(60);
    private static final String ROOM = "presence:crash";

    @AutoClose
    private static ProcessCluster cluster;

    @BeforeAll
    static void start() {
        try {
            Class.forName("io.switchboard.presence.PresenceMain");
        } catch (ClassNotFoundException e) {
            throw new AssertionError("the presence service is not on the chaos tests' classpath: chaos-tests/pom.xml"
                    + " needs io.switchboard:switchboard-presence-service", e);
        }
        cluster = ProcessCluster.start(new ProcessCluster.Options(1, 1, 2, false, true, false, false, SECRET));
    }

    @Test
    void aKilledGatewaysUsersLeaveAndARestartedPresenceServiceResyncsExactly() {
        List<Client> clients = new ArrayList<>();
        try {
            URI gateway1 = cluster.webSocketUris().get(0);
            URI gateway2 = cluster.webSocketUris().get(1);
            Client watcher = Client.connect(gateway2, "watcher", clients);
            watcher.subscribe(ROOM, true);
            Client ann = Client.connect(gateway1, "ann", clients);
            Client ben = Client.connect(gateway1, "ben", clients);
            Client dave = Client.connect(gateway2, "dave", clients);
            for (Client c : List.of(ann, ben, dave)) {
                c.subscribe(ROOM, false);
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(watcher.joined()).contains("ann", "ben", "dave"));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(watcher.memberIds()).containsExactly("ann", "ben", "dave", "watcher"));

            // gateway-1 dies without a word: its users leave when its lease runs out.
            cluster.gateways().get(0).kill();
            await().atMost(LEASE_TTL_AND_MARGIN).untilAsserted(() ->
                    assertThat(watcher.left()).contains("ann", "ben"));
            assertThat(watcher.left()).doesNotContain("dave", "watcher");
            assertThat(watcher.memberIds()).containsExactly("dave", "watcher");

            // The presence service dies; meanwhile dave leaves and erin arrives, which only the gateway knows.
            cluster.presence().kill();
            dave.close();
            Client erin = Client.connect(gateway2, "erin", clients);
            erin.subscribe(ROOM, false);
            cluster.restart("presence");

            // The fresh presence service knows nothing until gateway-2 resyncs: then exactly the live users,
            // no one of the dead gateway, not dave, and erin.
            await().atMost(RESYNC_WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(watcher.memberIds()).containsExactly("erin", "watcher"));
            PresencePage page = watcher.presencePage(ROOM, "", 100);
            assertThat(page.getUsers()).isEqualTo(2);
            assertThat(page.getConnections()).isEqualTo(2);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nservice logs:\n" + cluster.logs(), e);
        } finally {
            clients.forEach(Client::close);
        }
    }

    /** One connection that records every frame it receives. */
    private static final class Client implements AutoCloseable {
        private final WsTestClient ws;
        private final List<ServerFrame> frames = new CopyOnWriteArrayList<>();

        private Client(WsTestClient ws) {
            this.ws = ws;
        }

        static Client connect(URI uri, String user, List<Client> registry) {
            WsTestClient ws = WsTestClient.connect(uri, Subprotocol.PROTO);
            Client client = new Client(ws);
            registry.add(client);
            ws.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(TOKENS.token(user, ROOM))).build());
            ServerFrame first = ws.next(Duration.ofSeconds(20));
            if (!first.hasConnected()) {
                throw new AssertionError(user + ": expected Connected, got " + first);
            }
            ws.divert(client.frames::add);
            return client;
        }

        void subscribe(String room, boolean presence) {
            int id = ws.nextRequestId();
            ws.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(id).setRoom(room)
                    .setPresence(presence)).build());
            ServerFrame reply = await(f -> (f.hasSubscribed() && f.getSubscribed().getRequestId() == id)
                    || (f.hasError() && f.getError().getRequestId() == id));
            assertThat(reply.hasSubscribed()).as("subscribe %s: %s", room, reply).isTrue();
        }

        PresencePage presencePage(String room, String afterUser, int limit) {
            int id = ws.nextRequestId();
            ws.send(ClientFrame.newBuilder().setPresence(PresenceQuery.newBuilder().setRequestId(id).setRoom(room)
                    .setAfterUser(afterUser).setLimit(limit)).build());
            ServerFrame reply = await(f -> (f.hasPresencePage() && f.getPresencePage().getRequestId() == id)
                    || (f.hasError() && f.getError().getRequestId() == id));
            assertThat(reply.hasPresencePage()).as("presence query: %s", reply).isTrue();
            return reply.getPresencePage();
        }

        /** Every member of {@link #ROOM}, paging 2 at a time. */
        List<String> memberIds() {
            List<String> ids = new ArrayList<>();
            String after = "";
            for (int pages = 0; pages < 50; pages++) {
                PresencePage page = presencePage(ROOM, after, 2);
                page.getMembersList().stream().map(Member::getUserId).forEach(ids::add);
                if (!page.getHasMore()) {
                    return ids;
                }
                after = page.getNextAfterUser();
            }
            throw new AssertionError("member list does not end: " + ids);
        }

        private List<PresenceEvent> events() {
            return frames.stream().filter(ServerFrame::hasPresence).map(ServerFrame::getPresence)
                    .filter(e -> e.getRoom().equals(ROOM)).toList();
        }

        Set<String> joined() {
            return events().stream().flatMap(e -> e.getJoinedList().stream()).map(Member::getUserId)
                    .collect(Collectors.toSet());
        }

        Set<String> left() {
            return events().stream().flatMap(e -> e.getLeftList().stream()).collect(Collectors.toSet());
        }

        private ServerFrame await(Predicate<ServerFrame> predicate) {
            return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> frames.stream().filter(predicate).findFirst(), Optional::isPresent).orElseThrow();
        }

        @Override
        public void close() {
            ws.close();
        }
    }
}
