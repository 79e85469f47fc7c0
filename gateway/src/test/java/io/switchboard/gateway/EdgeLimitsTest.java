package io.switchboard.gateway;

import static io.switchboard.gateway.GatewayHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.gateway.limits.LimitKeys;
import io.switchboard.gateway.limits.OriginPolicy;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The edge limits of a gateway with an origin allow-list: the origin check on the upgrade and CORS on the HTTP
 * endpoints, the frame and byte rate limits, the per-user connection cap and the handshake limits (Connect frame and
 * request head sizes). Each limit: the documented code arrives, other clients go on chatting, the metric moves.
 */
class EdgeLimitsTest {
    static final String ALLOWED = "http://app.test:1234";
    static final String WILDCARD = "https://*.example.com";
    private static final AtomicInteger ROOMS = new AtomicInteger();
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> c
                        .set(LimitKeys.ALLOWED_ORIGINS, List.of(OriginPolicy.Pattern.parse(ALLOWED),
                                OriginPolicy.Pattern.parse(WILDCARD)))
                        .set(LimitKeys.MESSAGES_PER_SECOND, 5)
                        .set(LimitKeys.MESSAGE_BURST, 10)
                        .set(LimitKeys.RATE_LIMITED_BEFORE_CLOSE, 5)
                        .set(LimitKeys.BYTES_PER_SECOND, 1024L)
                        .set(LimitKeys.BYTE_BURST, 8192L)
                        .set(LimitKeys.MAX_CONNECTIONS_PER_USER, 2)
                        .set(LimitKeys.MAX_CONNECT_FRAME_BYTES, 1024)
                        .set(LimitKeys.MAX_HEADER_BYTES, 4096),
                Clock.systemUTC(),
                r -> r.get("/app/token", (req, res) -> res.send("token"))
                        .post("/app/token", (req, res) -> res.send("token")));
    }

    private static double refusals(String limit) throws Exception {
        return h.metric("gateway_limit_refusals_total{limit=\"" + limit + "\"}");
    }

    private static int upgradeStatus(Subprotocol sp, Map<String, String> headers) {
        try (RawHttp r = RawHttp.upgrade(h.wsUri(), sp.token(), headers)) {
            return r.status;
        }
    }

    /** A connected client of a room of its own (a fresh user each, below the per-user cap). */
    private static final class Witness extends ChatWitness {
        Witness(Subprotocol sp) {
            super(h, sp, "witness-" + UUID.randomUUID());
        }
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void allowedOriginsUpgradeAndOthersGet403BeforeTheUpgrade(Subprotocol sp) throws Exception {
        double before = refusals("origin");
        assertThat(upgradeStatus(sp, Map.of("Origin", ALLOWED))).isEqualTo(101);
        assertThat(upgradeStatus(sp, Map.of("Origin", "http://APP.test:1234"))).isEqualTo(101);
        assertThat(upgradeStatus(sp, Map.of("Origin", "https://chat.example.com"))).isEqualTo(101);
        assertThat(upgradeStatus(sp, Map.of("Origin", "https://a.b.example.com"))).isEqualTo(101);
        assertThat(upgradeStatus(sp, Map.of())).as("no Origin: not a browser").isEqualTo(101);

        assertThat(upgradeStatus(sp, Map.of("Origin", "https://example.com"))).isEqualTo(403);
        assertThat(upgradeStatus(sp, Map.of("Origin", "http://app.test:1235"))).isEqualTo(403);
        assertThat(upgradeStatus(sp, Map.of("Origin", "https://evil.test"))).isEqualTo(403);
        assertThat(upgradeStatus(sp, Map.of("Origin", "null"))).isEqualTo(403);
        // The list replaces the same-origin rule: the gateway's own origin is not in it.
        assertThat(upgradeStatus(sp, Map.of("Origin", "http://127.0.0.1:" + h.gateway.port()))).isEqualTo(403);
        assertThat(refusals("origin") - before).isEqualTo(5);
    }

    @Test
    void corsPreflightAndHeadersFollowTheAllowList() {
        Map<String, String> preflight = Map.of("Origin", "https://chat.example.com",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type");
        try (RawHttp r = RawHttp.request(h.httpUri("/"), "OPTIONS", "/app/token", preflight)) {
            assertThat(r.status).isEqualTo(204);
            assertThat(r.header("Access-Control-Allow-Origin")).contains("https://chat.example.com");
            assertThat(r.header("Access-Control-Allow-Methods").orElseThrow()).contains("POST");
            assertThat(r.header("Access-Control-Allow-Headers").orElseThrow()).containsIgnoringCase("content-type");
            assertThat(r.header("Vary")).contains("Origin");
            assertThat(r.header("Access-Control-Allow-Credentials")).isEmpty();
        }
        try (RawHttp r = RawHttp.request(h.httpUri("/"), "OPTIONS", "/app/token",
                Map.of("Origin", "https://evil.test", "Access-Control-Request-Method", "POST"))) {
            assertThat(r.status).isEqualTo(403);
            assertThat(r.header("Access-Control-Allow-Origin")).isEmpty();
        }
        try (RawHttp r = RawHttp.request(h.httpUri("/"), "GET", "/app/token", Map.of("Origin", ALLOWED))) {
            assertThat(r.status).isEqualTo(200);
            assertThat(r.header("Access-Control-Allow-Origin")).contains(ALLOWED);
        }
        try (RawHttp r = RawHttp.request(h.httpUri("/"), "GET", "/app/token", Map.of("Origin", "https://evil.test"))) {
            assertThat(r.status).as("served, but the browser keeps it from the page").isEqualTo(200);
            assertThat(r.header("Access-Control-Allow-Origin")).isEmpty();
        }
        // Operational endpoints are for scrapers and operators, never for pages.
        for (String path : List.of("/metrics", "/observe/health/ready", "/admin/drain")) {
            try (RawHttp r = RawHttp.request(h.httpUri("/"), "GET", path, Map.of("Origin", ALLOWED))) {
                assertThat(r.header("Access-Control-Allow-Origin")).as(path).isEmpty();
            }
            try (RawHttp r = RawHttp.request(h.httpUri("/"), "OPTIONS", path,
                    Map.of("Origin", ALLOWED, "Access-Control-Request-Method", "POST"))) {
                assertThat(r.header("Access-Control-Allow-Origin")).as(path).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void aFloodIsRefusedRateLimitedThenClosed3004WhileOthersChat(Subprotocol sp) throws Exception {
        double refusedBefore = refusals("message_rate");
        double closesBefore = h.metric("gateway_closes_total{code=\"3004\"}");
        try (Witness witness = new Witness(sp);
             WsTestClient flooder = h.connect(sp, "flooder-" + sp)) {
            String room = "flood-" + ROOMS.incrementAndGet();
            List<Integer> publishes = new ArrayList<>();
            for (int i = 0; i < 200 && flooder.isOpen(); i++) {
                try {
                    publishes.add(flooder.publish(room, "f-" + i, "flood"));
                } catch (RuntimeException closedMeanwhile) {
                    break;
                }
            }
            ServerFrame refused = flooder.nextMatching(f -> f.hasError(), WAIT);
            assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(refused.getError().getRetriable()).isTrue();
            assertThat(refused.getError().getMessage()).contains("frames per second");
            assertThat(publishes).contains(refused.getError().getRequestId());
            WsTestClient.Closed closed = flooder.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(ErrorCode.RATE_LIMIT_EXCEEDED_VALUE);
            witness.assertStillReceives();
        }
        assertThat(refusals("message_rate")).isGreaterThan(refusedBefore);
        await().atMost(WAIT).until(() -> h.metric("gateway_closes_total{code=\"3004\"}") == closesBefore + 1);
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void framesOverTheByteRateAreRefusedRateLimited(Subprotocol sp) throws Exception {
        double before = refusals("byte_rate");
        try (Witness witness = new Witness(sp);
             WsTestClient heavy = h.connect(sp, "heavy-" + sp)) {
            String room = "heavy-" + ROOMS.incrementAndGet();
            // 8 KiB burst refilled at 1 KiB/s: the third such frame does not fit (unless 2.4 s pass between sends).
            String big = "x".repeat(3500);
            List<Integer> publishes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                publishes.add(heavy.publish(room, "h-" + i, big));
            }
            ServerFrame refused = heavy.nextMatching(f -> f.hasError(), WAIT);
            assertThat(refused.getError().getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(refused.getError().getMessage()).contains("bytes per second");
            assertThat(refused.getError().getRequestId()).isEqualTo(publishes.get(2));
            assertThat(heavy.isOpen()).as("one refusal does not close").isTrue();
            witness.assertStillReceives();
        }
        assertThat(refusals("byte_rate") - before).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void aUserBeyondItsConnectionCapIsClosed3005(Subprotocol sp) throws Exception {
        String user = "many-devices-" + sp;
        double before = refusals("user_connections");
        try (WsTestClient first = h.connect(sp, user);
             WsTestClient second = h.connect(sp, user);
             WsTestClient third = WsTestClient.connect(h.wsUri(), sp);
             Witness witness = new Witness(sp)) {
            third.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(h.token(user))).build());
            WsTestClient.Closed closed = third.awaitClose(WAIT);
            assertThat(closed.code()).isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS_VALUE);
            assertThat(closed.reason()).contains("expected: <= 2");
            assertThat(first.isOpen()).isTrue();
            assertThat(second.isOpen()).isTrue();
            witness.assertStillReceives();
        }
        assertThat(refusals("user_connections") - before).isEqualTo(1);
        // Once the others closed, the user connects again.
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            try (WsTestClient again = h.connect(sp, user); WsTestClient another = h.connect(sp, user)) {
                assertThat(again.isOpen() && another.isOpen()).isTrue();
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void anOversizedConnectFrameIsClosed1009BeforeItsTokenIsRead(Subprotocol sp) throws Exception {
        double before = refusals("connect_frame");
        try (WsTestClient client = WsTestClient.connect(h.wsUri(), sp); Witness witness = new Witness(sp)) {
            client.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken("x".repeat(2000))).build());
            WsTestClient.Closed closed = client.awaitClose(WAIT);
            assertThat(closed.code()).as("not 3500: the token was never verified").isEqualTo(1009);
            assertThat(closed.reason()).contains("expected: <= 1024");
            witness.assertStillReceives();
        }
        assertThat(refusals("connect_frame") - before).isEqualTo(1);
    }

    @Test
    void anOversizedRequestHeadIsRefusedAndTheConnectionClosed() {
        try (RawHttp r = RawHttp.upgrade(h.wsUri(), Subprotocol.PROTO.token(), Map.of("X-Filler", "f".repeat(8000)))) {
            assertThat(r.status).as("Helidon 4.5 answers an oversized head 400").isEqualTo(400);
            assertThat(r.serverClosedWithin(WAIT)).isTrue();
        }
        assertThat(upgradeStatus(Subprotocol.PROTO, Map.of("X-Filler", "f".repeat(3000))))
                .as("just under the limit").isEqualTo(101);
    }
}
