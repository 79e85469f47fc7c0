package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import io.switchboard.testkit.RequiredTool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo page in a real browser: {@code e2e/chat.mjs} drives two users in headless Chromium against a
 * cluster with presence and history; halfway it asks for a gateway restart ({@code RESTART_GATEWAY} on its
 * stdout), which this test performs and confirms ({@code RESTARTED} on its stdin). The script's exit code is the
 * verdict. Skipped when {@code /usr/bin/chromium} or {@code node} is missing, or the page's bundle was not built
 * ({@code -Dskip.npm=true}); in CI those fail the test instead ({@link RequiredTool}).
 *
 * <p>CI runs it once. Races hide in single runs: {@code -Ddemo.runs=20} runs the script 20 times in a row on one
 * cluster (each run in a fresh room), {@code -Ddemo.gateways=2} starts two gateways (the page is served by the
 * first), {@code -Ddemo.restart=false} passes {@code --no-restart}.
 */
@ExtendWith(BrowserScripts.Required.class)
class DemoBrowserTest {
    private static final String SECRET = "demo-browser-test-secret-0123456789abcdef";

    private LocalCluster cluster;
    private ChatScript script;

    @AfterEach
    void stop() {
        if (script != null) {
            script.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void twoUsersChatInChromiumThroughAGatewayRestart() throws Exception {
        int runs = Integer.getInteger("demo.runs", 1);
        boolean restart = Boolean.parseBoolean(System.getProperty("demo.restart", "true"));
        cluster = LocalCluster.builder()
                .history(true)
                .gateways(Integer.getInteger("demo.gateways", 1))
                .set("gateway.auth.hs256-secret", SECRET)
                .firstGatewayRouting(SwitchboardMain.demoRouting(SECRET))
                .build()
                .start();
        script = new ChatScript(cluster);
        int passed = 0;
        for (int run = 1; run <= runs; run++) {
            String output = script.run(cluster.httpUri(0).toString(), restart, List.of());
            assertThat(output).as("run %d of %d (%d passed before); output of chat.mjs:%n%s", run, runs, passed, output)
                    .contains("PASS");
            passed++;
        }
        System.out.println("chat.mjs: " + passed + " of " + runs + " runs passed (restart: " + restart + ", gateways: "
                + cluster.gateways().size() + ")");
    }
}
