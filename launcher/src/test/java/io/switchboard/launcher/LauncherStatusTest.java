package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.Test;

/**
 * A stranger can find every port the single-process default chose: {@code GET /launcher/status} on the first
 * gateway lists them (and each answers), the start-up line names every gateway, and closing the cluster removes the
 * data it kept in its scratch space.
 */
class LauncherStatusTest {
    private static final String SECRET = "launcher-status-test-secret-0123456789";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void statusListsWhereEveryServiceListensAndCloseRemovesTheScratchData() throws Exception {
        LocalCluster cluster = LocalCluster.builder().gateways(2).history(true)
                .set("gateway.auth.hs256-secret", SECRET).build().start();
        Path kafkaData;
        Path historyData;
        try {
            JsonNode status = new ObjectMapper().readTree(get(cluster.httpUri(0).resolve("launcher/status"), 200));

            JsonNode second = status.get("gateways").get(1);
            assertThat(second.get("web_socket").asText()).isEqualTo(cluster.webSocketUri(1).toString());
            get(URI.create("http://127.0.0.1:" + second.get("port").asInt() + "/observe/health/ready"), 200);
            JsonNode router = status.get("routers").get(0);
            assertThat(router.get("grpc_port").asInt()).isEqualTo(cluster.router(0).port());
            assertThat(get(URI.create("http://127.0.0.1:" + router.get("metrics_port").asInt() + "/metrics"), 200))
                    .contains("switchboard_router");
            assertThat(status.get("presence").get("grpc_port").asInt()).isEqualTo(cluster.presence().port());
            assertThat(status.get("kafka").get("bootstrap_servers").asText()).isEqualTo(cluster.bootstrapServers());
            kafkaData = Path.of(status.get("kafka").get("data_dir").asText());
            historyData = Path.of(status.get("history").get("data_dir").asText());
            assertThat(kafkaData).isDirectory();
            assertThat(historyData).isDirectory();
            assertThat(ClusterStatus.summary(cluster)).contains(cluster.webSocketUri(0).toString(),
                    cluster.webSocketUri(1).toString(), cluster.bootstrapServers(), "/launcher/status");
        } finally {
            cluster.close();
        }
        assertThat(kafkaData).doesNotExist();
        assertThat(historyData).doesNotExist();
    }

    @Test
    void eachGatewaysNettyListenerIsAnnouncedAndServes() throws Exception {
        LocalCluster cluster = LocalCluster.builder().gateways(2).set("gateway.auth.hs256-secret", SECRET)
                .set("gateway.netty.port", "0").build().start();
        try {
            JsonNode gateways = new ObjectMapper().readTree(get(cluster.httpUri(0).resolve("launcher/status"), 200))
                    .get("gateways");
            for (int i = 0; i < 2; i++) {
                URI netty = cluster.nettyWebSocketUri(i).orElseThrow();
                assertThat(gateways.get(i).get("netty_web_socket").asText()).isEqualTo(netty.toString());
                assertThat(ClusterStatus.summary(cluster)).contains("(netty " + netty + ")");
                try (WsTestClient client = WsTestClient.connected(netty, Subprotocol.PROTO,
                        TestTokens.hs256(SECRET).token("netty-" + i, "*"))) {
                    assertThat(client.isOpen()).isTrue();
                }
            }
            assertThat(cluster.nettyWebSocketUri(0)).isNotEqualTo(cluster.nettyWebSocketUri(1));
        } finally {
            cluster.close();
        }
    }

    private String get(URI uri, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(uri.toString()).isEqualTo(expectedStatus);
        return response.body();
    }
}
