package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;

import io.switchboard.gateway.debug.FrameTap;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Debug mode through {@code /admin/debug} on a real gateway: the frames of the targeted user (or room) appear in
 * the log, with payloads redacted unless asked for; other users' frames do not; ending the session stops it.
 */
class DebugModeTest {
    private static final String TOKEN = "admin-token-0123456789";
    @AutoClose
    private static GatewayHarness h;
    private final HttpClient http = HttpClient.newHttpClient();
    private LogCapture capture;
    private List<String> lines;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c.set(GatewayKeys.ADMIN_TOKEN, TOKEN));
    }

    @BeforeEach
    void attach() {
        capture = LogCapture.of(FrameTap.class);
        lines = capture.messages();
    }

    @AfterEach
    void detach() {
        capture.close();
    }

    @Test
    void framesOfTheDebuggedUserAreLoggedRedactedAndOthersAreNot() throws Exception {
        try (WsTestClient alice = h.connect(Subprotocol.PROTO, "alice");
             WsTestClient bob = h.connect(Subprotocol.JSON, "bob")) {
            bob.subscribeAndWait("chat:debug", WAIT);
            HttpResponse<String> started = admin("POST", "/admin/debug", "{\"user\":\"alice\",\"duration\":\"PT1M\"}");
            assertThat(started.statusCode()).isEqualTo(201);
            assertThat(started.body()).contains("\"target\":\"user\"", "\"value\":\"alice\"", "\"payloads\":false");
            String id = started.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");

            alice.publish("chat:debug", "m-1", "secret text");
            alice.nextMatching(ServerFrame::hasAck, WAIT);
            bob.nextMatching(ServerFrame::hasMessage, WAIT);

            await().atMost(WAIT).until(() -> lines.stream()
                    .anyMatch(l -> l.contains(" out ") && l.contains("\"ack\"")));
            String in = lines.stream().filter(l -> l.contains(" in ") && l.contains("\"publish\"")).findFirst()
                    .orElseThrow();
            assertThat(in).startsWith("debug " + id + " in session=").contains("user=alice", "\"room\":\"chat:debug\"",
                    "payload=<redacted 11 bytes>");
            assertThat(lines).noneMatch(l -> l.contains("secret text")
                    || l.contains(Base64.getEncoder().encodeToString("secret text".getBytes())));
            assertThat(lines).as("bob is not debugged").noneMatch(l -> l.contains("user=bob"));
            assertThat(admin("GET", "/admin/debug", null).body()).contains("\"id\":\"" + id + "\"");

            assertThat(admin("DELETE", "/admin/debug/" + id, null).statusCode()).isEqualTo(204);
            assertThat(admin("DELETE", "/admin/debug/" + id, null).statusCode()).isEqualTo(404);
            int before = lines.size();
            alice.publish("chat:debug", "m-2", "after");
            alice.nextMatching(ServerFrame::hasAck, WAIT);
            assertThat(lines).hasSize(before);
        }
    }

    @Test
    void aRoomSessionWithPayloadsLogsTheRoomsDeliveriesInFull() throws Exception {
        try (WsTestClient alice = h.connect(Subprotocol.PROTO, "alice");
             WsTestClient carol = h.connect(Subprotocol.PROTO, "carol")) {
            carol.subscribeAndWait("chat:room-debug", WAIT);
            String body = admin("POST", "/admin/debug", "{\"room\":\"chat:room-debug\",\"payloads\":true}").body();
            String id = body.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
            alice.publish("chat:room-debug", "m-1", "visible");
            carol.nextMatching(ServerFrame::hasMessage, WAIT);
            String encoded = Base64.getEncoder().encodeToString("visible".getBytes());
            await().atMost(WAIT).until(() -> lines.stream().anyMatch(l -> l.contains("user=carol")
                    && l.contains(" out ") && l.contains("\"message\"") && l.contains(encoded)));
            admin("DELETE", "/admin/debug/" + id, null);
        }
    }

    @Test
    void badRequestsAreRefusedWithTheReason() throws Exception {
        HttpResponse<String> two = admin("POST", "/admin/debug", "{\"user\":\"a\",\"room\":\"b\"}");
        assertThat(two.statusCode()).isEqualTo(400);
        assertThat(two.body()).contains("expected: exactly one");
        HttpResponse<String> tooLong = admin("POST", "/admin/debug", "{\"user\":\"a\",\"duration\":\"PT2H\"}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("gateway.admin.debug-max-duration");
        assertThat(admin("POST", "/admin/debug", "not json").statusCode()).isEqualTo(400);
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(h.httpUri("/admin/debug")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(h.httpUri(path)).timeout(WAIT)
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
