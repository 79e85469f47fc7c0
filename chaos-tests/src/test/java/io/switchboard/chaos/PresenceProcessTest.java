package io.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.proto.client.v1.PresencePage;
import io.switchboard.testkit.TestTokens;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        List<PresenceTestClient> clients = new ArrayList<>();
        try {
            PresenceTestClient.Room r = PresenceTestClient.Room.join(cluster.webSocketUris(), TOKENS, ROOM, clients);
            PresenceTestClient watcher = r.watcher();
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
            r.dave().close();
            URI gateway2 = cluster.webSocketUris().get(1);
            PresenceTestClient erin = PresenceTestClient.connect(gateway2, "erin", TOKENS, ROOM, clients);
            erin.subscribe(false);
            cluster.restart("presence");

            // The fresh presence service knows nothing until gateway-2 resyncs: then exactly the live users,
            // no one of the dead gateway, not dave, and erin.
            await().atMost(RESYNC_WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(watcher.memberIds()).containsExactly("erin", "watcher"));
            PresencePage page = watcher.presencePage("", 100);
            assertThat(page.getUsers()).isEqualTo(2);
            assertThat(page.getConnections()).isEqualTo(2);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nservice logs:\n" + cluster.logs(), e);
        } finally {
            clients.forEach(PresenceTestClient::close);
        }
    }
}
