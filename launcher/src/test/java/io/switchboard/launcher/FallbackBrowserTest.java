package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import io.switchboard.testkit.MetricsScrape;
import io.switchboard.testkit.RequiredTool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP fallback in a real browser behind a real proxy that refuses WebSocket upgrades ({@link UpgradeRefusingProxy}:
 * HAProxy running {@code deploy/haproxy/haproxy.cfg} plus a rule answering upgrades 403). The demo page is loaded
 * through the proxy and uses the TypeScript SDK with its defaults: its WebSocket fails, it falls back to Server-Sent
 * Events and POSTs by itself, and {@code e2e/chat.mjs} (see {@link DemoBrowserTest}) checks what two users see (member
 * lists, typing, every message once and in each sender's order, history) through a restart of the gateway; with
 * {@code --expect-fallback} it also checks that no WebSocket of either page ever carried a frame and that both pages
 * opened event streams. Skipped (failed in CI) without Chromium, node, the page's bundle or HAProxy
 * ({@link RequiredTool}).
 *
 * <p>CI runs it once; {@code -Dfallback.runs=N} runs the script N times in a row on one cluster.
 */
@ExtendWith(BrowserScripts.Required.class)
class FallbackBrowserTest {
    private static final String SECRET = "fallback-browser-test-secret-0123456789abcdef";

    @TempDir
    Path dir;

    private LocalCluster cluster;
    private UpgradeRefusingProxy proxy;
    private ChatScript script;

    @AfterEach
    void stop() {
        try {
            if (script != null) {
                script.close();
            }
        } finally {
            try {
                if (proxy != null) {
                    proxy.close();
                }
            } finally {
                if (cluster != null) {
                    cluster.close();
                }
            }
        }
    }

    @Test
    void twoUsersChatOverTheFallbackThroughAProxyThatRefusesUpgradesAndAGatewayRestart() throws Exception {
        cluster = LocalCluster.builder()
                .history(true)
                .set("gateway.auth.hs256-secret", SECRET)
                .firstGatewayRouting(SwitchboardMain.demoRouting(SECRET))
                .build()
                .start();
        proxy = UpgradeRefusingProxy.start(cluster.gateway(0).port(), dir);
        script = new ChatScript(cluster);
        int runs = Integer.getInteger("fallback.runs", 1);
        for (int run = 1; run <= runs; run++) {
            String output;
            try {
                output = script.run(proxy.baseUri().toString(), true, List.of("--expect-fallback"));
            } catch (AssertionError e) {
                throw new AssertionError("run " + run + " of " + runs + ": " + e.getMessage() + "\nhaproxy log:\n"
                        + proxy.logTail(), e);
            }
            assertThat(output).as("run %d of %d", run, runs)
                    .contains("PASS fallback: alice's page: every WebSocket refused, event streams used")
                    .contains("PASS fallback: bob's page: every WebSocket refused, event streams used")
                    .contains("PASS");
            // Bob's page left its stream when he reloaded it (pagehide): without that the gateway holds the old
            // session until a heartbeat write fails (up to two intervals, 30 s) and bob shows on two devices.
            assertThat(leftStreams()).as("run %d of %d: streams left with DELETE, answered 204 (haproxy log)", run, runs)
                    .isGreaterThanOrEqualTo(run);
            // The restarted gateway took the pages' frames as POSTs.
            try (HttpClient http = HttpClient.newHttpClient()) {
                double posted = MetricsScrape.sample(http, cluster.httpUri(0).resolve("/metrics"),
                        "gateway_http_fallback_requests_total{status=\"204\"}");
                assertThat(posted).as("POSTs answered 204 by the gateway since its restart").isPositive();
            }
        }
    }

    /** DELETEs of an event stream that reached its gateway (answered 204), from HAProxy's log. */
    private long leftStreams() throws IOException {
        try (Stream<String> lines = Files.lines(dir.resolve("haproxy.log"))) {
            return lines.filter(l -> l.contains("\"DELETE /sse/") && l.matches(".* 204 \\d+ .*")).count();
        }
    }
}
