package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The origin allow-list and CORS in a real browser: {@code e2e/origin.mjs} serves a page from
 * {@code http://app.test:P} (allowed by {@code gateway.allowed-origins}) and from {@code http://evil.test:P} (not),
 * both resolved to 127.0.0.1 by Chromium, against a gateway at {@code http://127.0.0.1:Q}. From the allowed origin
 * the page fetches a demo token (CORS preflight) and chats over the WebSocket; from the other one the browser keeps
 * the token from the page and the WebSocket never opens. The script's exit code is the verdict. Skipped (failed in
 * CI) like {@link DemoBrowserTest} when Chromium or node is missing.
 */
@ExtendWith(BrowserScripts.Required.class)
class EdgeBrowserTest {
    private static final String SECRET = "edge-browser-test-secret-0123456789abcdef";
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(2);

    @AutoClose
    private LocalCluster cluster;

    @Test
    void aPageOfAnAllowedOriginChatsAndAPageOfAnotherIsRefused() throws Exception {
        int pagePort = freePort();
        cluster = LocalCluster.builder()
                .set("gateway.auth.hs256-secret", SECRET)
                .set("gateway.allowed-origins", "http://app.test:" + pagePort)
                .firstGatewayRouting(SwitchboardMain.demoRouting(SECRET))
                .build()
                .start();
        String gateway = cluster.httpUri(0).toString();
        BrowserScripts.Outcome outcome = BrowserScripts.run(List.of("node", "origin.mjs", gateway,
                Integer.toString(pagePort)), BrowserScripts.E2E, SCRIPT_TIMEOUT);
        assertThat(outcome.output()).as("output of origin.mjs").doesNotContain("FAIL")
                .contains("PASS allowed origin: WebSocket opened, connected and chatted")
                .contains("PASS other origin: the WebSocket never opened, even with a valid token");
        assertThat(outcome.exitedZero()).as("origin.mjs exited 0; its output:%n%s", outcome.output()).isTrue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
