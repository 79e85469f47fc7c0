package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The single-process default's demo: the page is served, and a token from its endpoint opens a session in the
 * demo's rooms and no other.
 */
class DemoPageTest {
    private static final String SECRET = "demo-page-test-secret-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @AutoClose
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.builder()
                .set("gateway.auth.hs256-secret", SECRET)
                .firstGatewayRouting(SwitchboardMain.demoRouting(SECRET))
                .build()
                .start();
    }

    @Test
    void servesTheDemoPage() throws Exception {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(cluster.httpUri(0)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>Switchboard demo</title>").contains("src=\"app.js\"");
        HttpResponse<String> app = HTTP.send(HttpRequest.newBuilder(cluster.httpUri(0).resolve("/app.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(app.statusCode()).isEqualTo(200);
        assertThat(app.body()).contains("./switchboard-client.js");
    }

    @Test
    void demoTokenOpensASessionForThatName() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(cluster.httpUri(0).resolve("/demo/token"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("user=dora")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Matcher token = Pattern.compile("\\{\"token\":\"([^\"]+)\"}").matcher(response.body());
        assertThat(token.matches()).as(response.body()).isTrue();

        try (WsTestClient client = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.JSON, token.group(1))) {
            client.subscribeAndWait("demo:dora", Duration.ofSeconds(10));
            client.publish("demo:dora", "dora-1", "hello");
            ServerFrame message = client.nextMatching(ServerFrame::hasMessage, Duration.ofSeconds(20));
            assertThat(message.getMessage().getSender()).isEqualTo("dora");
            client.subscribeAndWait("lobby", Duration.ofSeconds(10));
            // The demo token grants the demo's rooms only: the platform denies the rest by default.
            int refused = client.subscribe("chat:lobby");
            ServerFrame denied = client.nextMatching(f -> f.hasError() && f.getError().getRequestId() == refused,
                    Duration.ofSeconds(10));
            assertThat(denied.getError().getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(denied.getError().getMessage()).isEqualTo("subscribe in chat:lobby: not granted");
        }
    }

    @Test
    void rejectsInvalidNames() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(cluster.httpUri(0).resolve(URI.create("/demo/token")))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("user=" + "x".repeat(40))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
    }
}
