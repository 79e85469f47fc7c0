package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayKeys.AUTH;
import static io.switchboard.gateway.GatewayKeys.HISTORY_ADDRESS;
import static io.switchboard.gateway.GatewayKeys.HOST;
import static io.switchboard.gateway.GatewayKeys.PORT;
import static io.switchboard.gateway.GatewayKeys.ROUTERS;

import io.switchboard.service.KafkaKeys;
import io.switchboard.service.config.ConfigBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.kafka.embedded.EmbeddedKafka;
import io.switchboard.gateway.warmup.WarmUpKeys;
import io.switchboard.gateway.ws.netty.NettyKeys;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real embedded Kafka (one node), a {@link FakeRouter}, a {@link FakeHistory} and one {@link GatewayServer} on port 0, for tests on
 * real sockets. Close it in {@code @AfterAll}/{@code finally}; closing is safe after a failed start.
 */
final class GatewayHarness implements AutoCloseable {
    static final String SECRET = "0123456789abcdef0123456789abcdef";
    static final String TOPIC = "switchboard.rooms";
    static final String EPHEMERAL_TOPIC = "switchboard.ephemeral";
    static final String CONTROL_TOPIC = "switchboard.control";
    static final String PRESENCE_TOPIC = "switchboard.presence";
    static final Duration WAIT = Duration.ofSeconds(15);

    final TestTokens tokens = TestTokens.hs256(SECRET);
    final PrometheusRegistry registry = new PrometheusRegistry();
    private final HttpClient http = HttpClient.newHttpClient();
    EmbeddedKafka kafka;
    FakeRouter router;
    FakeHistory history;
    GatewayServer gateway;

    /** Starts everything; {@code tweaks} adjust the gateway configuration. */
    static GatewayHarness start(Consumer<ConfigBuilder<GatewayConfig>> tweaks) throws Exception {
        return start(tweaks, java.time.Clock.systemUTC());
    }

    /** Starts everything with the Netty WebSocket listener on a port of its own as well (see {@link #nettyUri}). */
    static GatewayHarness startWithNetty() throws Exception {
        return startWithNetty(c -> { });
    }

    /** {@link #startWithNetty()}, with {@code tweaks} to the gateway configuration. */
    static GatewayHarness startWithNetty(Consumer<ConfigBuilder<GatewayConfig>> tweaks) throws Exception {
        return start(tweaks.andThen(c -> c.set(NettyKeys.PORT, 0)));
    }

    /** Starts everything with {@code clock} as the gateway's clock (token expiry, server timestamps). */
    static GatewayHarness start(Consumer<ConfigBuilder<GatewayConfig>> tweaks, java.time.Clock clock) throws Exception {
        return start(tweaks, clock, r -> { });
    }

    /** Starts everything with {@code routing} as extra HTTP routes on the gateway's port. */
    static GatewayHarness start(Consumer<ConfigBuilder<GatewayConfig>> tweaks, java.time.Clock clock,
                                Consumer<io.helidon.webserver.http.HttpRouting.Builder> routing) throws Exception {
        GatewayHarness h = new GatewayHarness();
        try {
            h.kafka = EmbeddedKafka.builder().nodes(1).build();
            h.kafka.start();
            h.kafka.createTopic(TOPIC, 3, (short) 1);
            // The signal topics (created by routers and the presence service in production).
            h.kafka.createTopic(EPHEMERAL_TOPIC, 3, (short) 1);
            h.kafka.createTopic(CONTROL_TOPIC, 2, (short) 1);
            h.kafka.createTopic(PRESENCE_TOPIC, 2, (short) 1);
            String topicId;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, h.kafka.bootstrapServers()))) {
                topicId = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(TOPIC).topicId().toString();
            }
            h.router = new FakeRouter(h.kafka.bootstrapServers(), TOPIC, topicId);
            h.history = new FakeHistory(h.kafka.bootstrapServers(), new RoomLogTopic(TOPIC, topicId, 3));
            ConfigBuilder<GatewayConfig> config = h.config();
            tweaks.accept(config);
            h.gateway = GatewayServer.builder(config.build()).registry(h.registry).clock(clock).httpRouting(routing)
                    .build().start();
            return h;
        } catch (Exception | Error e) {
            h.close();
            throw e;
        }
    }

    /**
     * Another gateway on this harness's Kafka, router and history, with metrics of its own; {@code tweaks} adjust its
     * configuration (as they do the first one's). The caller stops it.
     */
    GatewayServer startAnotherGateway(Consumer<ConfigBuilder<GatewayConfig>> tweaks) {
        ConfigBuilder<GatewayConfig> config = config();
        tweaks.accept(config);
        return GatewayServer.builder(config.build()).build().start();
    }

    /** The gateways' configuration before a test's tweaks. */
    private ConfigBuilder<GatewayConfig> config() {
        return GatewayConfig.builder()
                .set(HOST, "127.0.0.1")
                .set(PORT, 0)
                .set(ROUTERS, List.of("127.0.0.1:" + router.port()))
                .set(KafkaKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
                .set(KafkaKeys.TOPIC_NAME, TOPIC)
                .set(AUTH.hs256Secret, SECRET)
                .set(HISTORY_ADDRESS, List.of("127.0.0.1:" + history.port()))
                // Off unless a test turns it on: probe publishes would mix with what tests count or hold.
                .set(GatewayKeys.PROBE_INTERVAL, Duration.ZERO)
                // Off too, for the same reason: tests that exercise it turn it on.
                .set(WarmUpKeys.MESSAGES, 0)
                .set(WarmUpKeys.CONNECTS, 0);
    }

    URI wsUri() {
        return wsUri(gateway);
    }

    static URI wsUri(GatewayServer gateway) {
        return URI.create(gateway.webSocketScheme() + "://127.0.0.1:" + gateway.port()
                + gateway.config().get(GatewayKeys.WS_PATH));
    }

    /** The Netty listener's WebSocket endpoint (a gateway started with {@link #startWithNetty}). */
    URI nettyUri() {
        return nettyUri(gateway.config().get(GatewayKeys.WS_PATH));
    }

    /** {@code path} on the Netty listener's port (a gateway started with {@link #startWithNetty}). */
    URI nettyUri(String path) {
        return URI.create("ws://127.0.0.1:" + gateway.nettyPort().orElseThrow() + path);
    }

    URI httpUri(String path) {
        return URI.create(gateway.httpScheme() + "://127.0.0.1:" + gateway.port() + path);
    }

    /** A connected client for {@code user}, with {@link #token}. */
    WsTestClient connect(Subprotocol subprotocol, String user) {
        return WsTestClient.connected(wsUri(), subprotocol, token(user));
    }

    /**
     * A token for {@code user} that grants every verb in every room: these tests exercise the gateway's other
     * jobs (room permissions have their own tests), and the gateway opens no room to a token without a grant.
     */
    String token(String user) {
        return tokens.token(user, "*");
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(httpUri(path)).timeout(WAIT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs {@code body} to {@code uri} with {@code authorization} (the HTTP fallback's frames). */
    HttpResponse<String> postTo(String uri, String body, String authorization) throws Exception {
        return postBytes(URI.create(uri), body.getBytes(java.nio.charset.StandardCharsets.UTF_8), authorization);
    }

    /** POSTs {@code body} to {@code uri} with {@code authorization}; any failure is unchecked. */
    HttpResponse<String> postBytes(URI uri, byte[] body, String authorization) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(WAIT).header("Authorization", authorization)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of one sample in the Prometheus text output, or 0 when absent. */
    double metric(String sample) throws Exception {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() {
        try {
            if (gateway != null) {
                gateway.stop(Duration.ofSeconds(2));
            }
        } finally {
            try {
                if (router != null) {
                    router.close();
                }
                if (history != null) {
                    history.close();
                }
            } finally {
                if (kafka != null) {
                    kafka.close();
                }
            }
        }
    }
}
