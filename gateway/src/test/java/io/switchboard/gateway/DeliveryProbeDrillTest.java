package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The delivery probe on a real gateway (real Kafka, a router that writes to it): probes come back and are timed;
 * the silent-loss drill (fan-out paused through the admin endpoint) leaves every other signal as it was, while the
 * probe counts lost probes and, with {@code gateway.probe.readiness}, turns readiness false; resuming delivers the
 * missed message and makes the gateway ready again. Clients cannot use the reserved probe rooms.
 */
class DeliveryProbeDrillTest {
    private static final String TOKEN = "admin-token-0123456789";
    private static final String LOST = "switchboard_delivery_probe_failures_total{origin=\"gw-probe\",reason=\"lost\"}";
    @AutoClose
    private static GatewayHarness h;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(GatewayKeys.ID, "gw-probe")
                .set(GatewayKeys.PROBE_INTERVAL, Duration.ofMillis(200))
                .set(GatewayKeys.PROBE_TIMEOUT, Duration.ofSeconds(2))
                .set(GatewayKeys.PROBE_READINESS, true)
                .set(GatewayKeys.ADMIN_TOKEN, TOKEN)
                .set(GatewayKeys.ADMIN_DRILLS, true));
    }

    @Test
    void pausedFanoutIsCaughtByTheProbeAndTurnsReadinessFalse() throws Exception {
        await().atMost(WAIT).until(() -> h.metric("switchboard_delivery_probe_latency_seconds_count") >= 3);
        // Probes come back (on a loaded machine one may have been late: the baseline, not zero).
        await().atMost(WAIT).until(() -> h.get("/observe/health/ready").statusCode() == 200);
        double lostBefore = h.metric(LOST);

        try (WsTestClient alice = h.connect(Subprotocol.PROTO, "alice");
             WsTestClient bob = h.connect(Subprotocol.JSON, "bob")) {
            bob.subscribeAndWait("chat:drill", WAIT);
            HttpResponse<String> paused = admin("POST", "/admin/drill/fanout-pause", TOKEN);
            assertThat(paused.statusCode()).isEqualTo(200);
            assertThat(paused.body()).isEqualTo("{\"fanoutPaused\":true}");

            // The publish is acknowledged (it is in Kafka) but bob receives nothing: a silent loss.
            alice.publish("chat:drill", "during-pause", "lost while paused");
            assertThat(alice.nextMatching(ServerFrame::hasAck, WAIT).getAck().getId()).isEqualTo("during-pause");

            await().atMost(WAIT).until(() -> h.metric(LOST) >= lostBefore + 2);
            await().atMost(WAIT).until(() -> h.get("/observe/health/ready").statusCode() == 503);
            assertThat(h.gateway.isReady()).isFalse();
            assertThat(h.metric("gateway_ready")).isZero();
            assertThat(h.get("/observe/health/ready").body()).contains("\"deliveryProbeHealthy\":false")
                    .contains("\"kafkaPositioned\":true").contains("\"draining\":false");
            assertThat(admin("GET", "/admin/drill", TOKEN).body()).isEqualTo("{\"fanoutPaused\":true}");
            assertThat(admin("GET", "/admin/status", TOKEN).body()).contains("\"id\":\"gw-probe\"",
                    "\"ready\":false", "\"fanoutPaused\":true", "\"probe\":{\"enabled\":true,\"healthy\":false",
                    "\"routers\":[{\"address\":\"127.0.0.1:" + h.router.port() + "\",\"breaker\":\"CLOSED\"}]");

            assertThat(admin("POST", "/admin/drill/fanout-resume", TOKEN).body())
                    .isEqualTo("{\"fanoutPaused\":false}");
            ServerFrame late = bob.nextMatching(ServerFrame::hasMessage, WAIT);
            assertThat(late.getMessage().getId()).isEqualTo("during-pause");
            await().atMost(WAIT).until(() -> h.get("/observe/health/ready").statusCode() == 200);
            assertThat(h.gateway.isReady()).isTrue();
        }
    }

    @Test
    void clientsCannotSubscribeOrPublishToTheReservedProbeRooms() {
        try (WsTestClient mallory = h.connect(Subprotocol.PROTO, "mallory")) {
            int sub = mallory.subscribe("switchboard:probe-0");
            ServerFrame refused = mallory.nextMatching(f -> f.hasError() && f.getError().getRequestId() == sub, WAIT);
            assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.INVALID_ROOM);
            assertThat(refused.getError().getMessage()).contains("reserved namespace 'switchboard'");

            int pub = mallory.publish("switchboard:probe-0", "fake", "switchboard-probe/1 x 0 hello gw-probe");
            ServerFrame refusedPublish = mallory.nextMatching(f -> f.hasError() && f.getError().getRequestId() == pub,
                    WAIT);
            assertThat(refusedPublish.getError().getCode()).isEqualTo(ErrorCode.INVALID_ROOM);
        }
        assertThat(h.router.received()).noneMatch(e -> e.getId().equals("fake"));
    }

    @Test
    void drillsNeedTheTokenAndAnswer404WhenDisabled() throws Exception {
        assertThat(admin("POST", "/admin/drill/fanout-pause", null).statusCode()).isEqualTo(401);
        assertThat(admin("POST", "/admin/drill/fanout-pause", "wrong-token-0123456789").statusCode()).isEqualTo(401);
        try (GatewayHarness plain = GatewayHarness.start(c -> c.set(GatewayKeys.ADMIN_TOKEN, TOKEN))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(plain.httpUri("/admin/drill/fanout-pause"))
                    .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(plain.gateway.isReady()).isTrue();
            assertThat(plain.get("/admin/view").statusCode()).as("the admin view's page").isEqualTo(200);
            assertThat(plain.get("/admin/view").body()).contains("Admin token");
            assertThat(plain.get("/admin/status").statusCode()).as("its data needs the token").isEqualTo(401);
        }
    }

    private HttpResponse<String> admin(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(h.httpUri(path)).timeout(WAIT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
