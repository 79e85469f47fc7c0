package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code launcher.in-process-grpc}: with it (the default) the gateways call the process's routers through grpc-java's
 * in-process transport, and no TCP connection to the routers' port is ever opened; without it they call them over
 * loopback TCP. Either way what a user sees is the same: every acknowledged message reaches a subscriber on the
 * other gateway, in the order sent. {@code /launcher/status} says which transport the gateways use.
 */
class RouterTransportTest {
    private static final String SECRET = "router-transport-test-secret-0123456789";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @ParameterizedTest(name = "in-process gRPC {0}")
    @ValueSource(booleans = {true, false})
    void acknowledgedMessagesCrossTheGatewaysOverTheChosenTransport(boolean inProcess) throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().routers(2).gateways(2).inProcessGrpc(inProcess)
                .set("gateway.auth.hs256-secret", SECRET).build().start();
             WsTestClient subscriber = WsTestClient.connected(cluster.webSocketUri(1), Subprotocol.JSON,
                     TOKENS.token("watcher", "transport:*"));
             WsTestClient publisher = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.JSON,
                     TOKENS.token("sender", "transport:*"))) {
            // Rooms spread over both routers (rendezvous hashing), so each gateway calls each router.
            for (String room : List.of("transport:a", "transport:b", "transport:c", "transport:d")) {
                subscriber.subscribeAndWait(room, WAIT);
                CrossGatewayMessages.publishAndReceiveInOrder(publisher, subscriber, room, room + "-", 5, WAIT);
            }

            long tcpConnections = 0;
            for (int r = 0; r < 2; r++) {
                tcpConnections += establishedTo(cluster.router(r).port());
            }
            if (inProcess) {
                assertThat(tcpConnections).as("TCP connections to the routers' gRPC ports").isZero();
            } else {
                assertThat(tcpConnections).as("TCP connections to the routers' gRPC ports").isPositive();
            }
            JsonNode status = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    cluster.httpUri(0).resolve("launcher/status")).build(), HttpResponse.BodyHandlers.ofString())
                    .body());
            assertThat(status.get("routers").findValuesAsText("gateway_transport"))
                    .containsOnly(inProcess ? "in-process" : "tcp");
        }
    }

    /**
     * {@code inline}: both ends of the publish streams run on the calling thread (the router's handler on the
     * gateway's, the gateway's answer handling on the router's), so a drain's refusals, the streams' ends and the
     * failovers they start all cross the two tiers' locks on the same threads.
     */
    @ParameterizedTest(name = "publish stream {0}, inline {1}")
    @CsvSource({"true, false", "false, false", "true, true"})
    void publishesMoveToTheOtherRouterWhileOneDrainsInProcess(boolean publishStream, boolean inline) {
        try (LocalCluster cluster = LocalCluster.builder().routers(2).gateways(2)
                .set("gateway.router-publish-stream", Boolean.toString(publishStream))
                .set("gateway.router-stream-on-event-loop", Boolean.toString(inline))
                .set("router.grpc.publish-stream-on-event-loop", Boolean.toString(inline))
                .set("gateway.auth.hs256-secret", SECRET).build().start();
             WsTestClient subscriber = WsTestClient.connected(cluster.webSocketUri(1), Subprotocol.JSON,
                     TOKENS.token("watcher", "drain:*"));
             WsTestClient publisher = WsTestClient.connected(cluster.webSocketUri(0), Subprotocol.JSON,
                     TOKENS.token("sender", "drain:*"))) {
            assertThat(cluster.gatewaysCallRoutersInProcess()).isTrue();
            List<String> rooms = List.of("drain:a", "drain:b", "drain:c", "drain:d", "drain:e", "drain:f",
                    "drain:g", "drain:h", "drain:i", "drain:j");
            for (String room : rooms) {
                subscriber.subscribeAndWait(room, WAIT);
            }
            cluster.router(0).drain();

            // Some of these rooms hash to the draining router: their publishes (a new call each, or a new request
            // on an open stream) are refused there and acknowledged by the other, and the subscriber still sees
            // each room's messages once, in the order sent.
            for (String room : rooms) {
                CrossGatewayMessages.publishAndReceiveInOrder(publisher, subscriber, room, room + "-", 5, WAIT);
            }
        }
    }

    /** Established TCP connections whose local port is {@code port}: the server side of connections to it. */
    private static long establishedTo(int port) throws IOException {
        String localPort = ":" + String.format(Locale.ROOT, "%04X", port);
        long count = 0;
        if (!Files.exists(Path.of("/proc/net/tcp"))) {
            throw new IllegalStateException("this test reads Linux's /proc/net/tcp, which is missing here");
        }
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue; // no IPv6
            }
            // sl local_address rem_address st ...; st 01 is ESTABLISHED
            count += Files.readAllLines(path).stream().skip(1).map(String::trim).map(line -> line.split("\\s+"))
                    .filter(fields -> fields[1].endsWith(localPort) && fields[3].equals("01")).count();
        }
        return count;
    }
}
