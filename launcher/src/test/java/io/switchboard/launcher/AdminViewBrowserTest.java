package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A gateway's admin view in headless Chromium: {@code e2e/admin-view.mjs} signs in with the admin token, finds
 * both gateways of a two-gateway cluster listed and ready (the other one known from its delivery probes), the
 * router with a closed breaker and the room this test keeps publishing into as the busiest room, starts and ends
 * a debug session, saves a screenshot of the page and drains the gateway with the page's button. Skipped
 * without Chromium or node, failed in CI instead (see {@link BrowserScripts}).
 */
@ExtendWith(BrowserScripts.Required.class)
class AdminViewBrowserTest {
    private static final String SECRET = "admin-view-browser-test-secret-0123456789";
    private static final String TOKEN = "admin-view-token-0123456789";
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);
    private static final String BUSY_ROOM = "admin-view:busy";

    @AutoClose
    private LocalCluster cluster;

    @Test
    void theAdminViewListsBothGatewaysAndDrivesDebugModeAndDrain() throws Exception {
        cluster = LocalCluster.builder()
                .gateways(2)
                .set("gateway.auth.hs256-secret", SECRET)
                .set("gateway.admin.token", TOKEN)
                .set("gateway.probe.interval", "PT0.5S")
                .build()
                .start();
        String peer = cluster.gateway(1).gatewayId();
        BrowserScripts.Outcome outcome;
        // Traffic for the busiest-rooms table: a steady publisher through the other gateway (workload pacing).
        ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
        try (WsTestClient publisher = WsTestClient.connected(cluster.webSocketUri(1), Subprotocol.PROTO,
                TestTokens.hs256(SECRET).token("publisher", "admin-view:*"))) {
            AtomicInteger sent = new AtomicInteger();
            traffic.scheduleAtFixedRate(() -> publisher.publish(BUSY_ROOM, "m-" + sent.incrementAndGet(), "busy"),
                    0, 100, TimeUnit.MILLISECONDS);
            outcome = BrowserScripts.run(List.of("node", "admin-view.mjs", cluster.httpUri(0).toString(), TOKEN, peer,
                    BUSY_ROOM), BrowserScripts.E2E, SCRIPT_TIMEOUT);
        } finally {
            traffic.shutdownNow();
        }
        assertThat(outcome.exitedZero()).as("admin-view.mjs passed; its output:%n%s", outcome.output()).isTrue();
        assertThat(outcome.output()).contains("PASS");
        assertThat(BrowserScripts.ARTIFACTS.resolve("admin-view.png")).exists();
        assertThat(cluster.gateway(0).isReady()).as("drained through the page").isFalse();
        assertThat(cluster.gateway(1).isReady()).isTrue();
    }
}
