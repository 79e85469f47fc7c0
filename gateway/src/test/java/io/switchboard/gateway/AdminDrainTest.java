package io.switchboard.gateway;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.Test;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The paced drain through POST /admin/drain: auth, Drain frame then 3000 for every connection, progress. */
class AdminDrainTest {
    private static final String TOKEN = "admin-token-0123456789";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void adminDrainSendsDrainThenClosesEveryConnectionInBatches() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(c -> c.set(GatewayKeys.ADMIN_TOKEN, TOKEN)
                .set(GatewayKeys.DRAIN_BATCH_SIZE, 2)
                .set(GatewayKeys.DRAIN_BATCH_INTERVAL, java.time.Duration.ofMillis(50)))) {
            List<WsTestClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    WsTestClient c = h.connect(i % 2 == 0 ? Subprotocol.PROTO : Subprotocol.JSON, "user-" + i);
                    clients.add(c);
                }
                assertThat(send(h, "GET", null).statusCode()).isEqualTo(401);
                assertThat(send(h, "POST", "Bearer wrong-token-0123456789").statusCode()).isEqualTo(401);
                assertThat(send(h, "POST", null).statusCode()).isEqualTo(401);
                assertThat(h.gateway.isReady()).isTrue();

                HttpResponse<String> accepted = send(h, "POST", "Bearer " + TOKEN);
                assertThat(accepted.statusCode()).isEqualTo(202);
                assertThat(accepted.body()).isEqualTo("{\"state\":\"draining\",\"connections\":5}");

                assertThat(h.gateway.isReady()).isFalse();
                assertThat(UpgradeProbe.status(h.wsUri(), Subprotocol.PROTO.token())).isEqualTo(503);
                for (WsTestClient c : clients) {
                    ServerFrame drain = c.nextMatching(ServerFrame::hasDrain, WAIT);
                    assertThat(drain.getDrain().getReconnectWithinMs()).isEqualTo(5000);
                    WsTestClient.Closed closed = c.awaitClose(WAIT);
                    assertThat(closed.code()).isEqualTo(ErrorCode.SERVER_SHUTDOWN_VALUE);
                    assertThat(closed.reason()).isEqualTo("reconnect");
                }
                await().atMost(WAIT).until(() -> send(h, "GET", "Bearer " + TOKEN).body().contains("\"drained\""));
                String progress = send(h, "GET", "Bearer " + TOKEN).body();
                assertThat(progress).contains("\"closed\":5").contains("\"started\":\"");
                await().atMost(WAIT).until(() -> send(h, "GET", "Bearer " + TOKEN).body().contains("\"remaining\":0"));
                // Idempotent: a second POST reports and starts nothing new.
                assertThat(send(h, "POST", "Bearer " + TOKEN).statusCode()).isEqualTo(202);
                assertThat(h.get("/observe/health/ready").statusCode()).isEqualTo(503);
            } finally {
                // A close handshake with a server that already closed would wait for its timeout: abort those.
                clients.forEach(c -> {
                    if (c.isOpen()) {
                        c.close();
                    } else {
                        c.abort();
                    }
                });
            }
        }
    }

    @Test
    void withoutATokenTheAdminEndpointDoesNotExist() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(c -> { })) {
            assertThat(send(h, "POST", "Bearer anything-at-all-here").statusCode()).isEqualTo(404);
            assertThat(send(h, "GET", null).statusCode()).isEqualTo(404);
            assertThat(h.gateway.isReady()).isTrue();
        }
    }

    private HttpResponse<String> send(GatewayHarness h, String method, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(h.httpUri("/admin/drain")).timeout(WAIT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
