package io.switchboard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.switchboard.testkit.Subprotocol;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Without {@code gateway.allowed-origins}, the web server's same-origin rule decides upgrades that carry an
 * {@code Origin}: its host and port must equal the {@code Host} header's (the scheme is not compared, a missing
 * port is the scheme's default); upgrades without one are accepted. No HTTP endpoint answers with CORS headers.
 */
class SameOriginTest {
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> { });
    }

    private static int upgradeStatus(Subprotocol sp, Map<String, String> headers) {
        try (RawHttp r = RawHttp.upgrade(h.wsUri(), sp.token(), headers)) {
            return r.status;
        }
    }

    @ParameterizedTest
    @EnumSource(Subprotocol.class)
    void onlyTheGatewaysOwnHostAndPortMayUpgrade(Subprotocol sp) {
        int port = h.gateway.port();
        assertThat(upgradeStatus(sp, Map.of("Origin", "http://127.0.0.1:" + port))).isEqualTo(101);
        assertThat(upgradeStatus(sp, Map.of("Origin", "https://127.0.0.1:" + port))).as("scheme not compared")
                .isEqualTo(101);
        assertThat(upgradeStatus(sp, Map.of())).isEqualTo(101);

        assertThat(upgradeStatus(sp, Map.of("Origin", "http://localhost:" + port))).as("another host name")
                .isEqualTo(403);
        assertThat(upgradeStatus(sp, Map.of("Origin", "http://127.0.0.1:" + (port == 1 ? 2 : port - 1))))
                .isEqualTo(403);
        assertThat(upgradeStatus(sp, Map.of("Origin", "http://127.0.0.1"))).as("port 80").isEqualTo(403);
        assertThat(upgradeStatus(sp, Map.of("Origin", "null"))).isEqualTo(403);
    }

    @Test
    void noEndpointAnswersWithCorsHeaders() {
        for (String path : new String[] {"/metrics", "/observe/health/ready", "/"}) {
            try (RawHttp r = RawHttp.request(h.httpUri("/"), "GET", path, Map.of("Origin", "http://localhost:1"))) {
                assertThat(r.header("Access-Control-Allow-Origin")).as(path).isEmpty();
            }
            try (RawHttp r = RawHttp.request(h.httpUri("/"), "OPTIONS", path,
                    Map.of("Origin", "http://localhost:1", "Access-Control-Request-Method", "GET"))) {
                assertThat(r.header("Access-Control-Allow-Origin")).as(path).isEmpty();
            }
        }
    }
}
