package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
    private static final Path E2E = BrowserScripts.E2E;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);
    private static final String END = "\u0000end";

    private LocalCluster cluster;
    private Process script;

    @AfterEach
    void stop() {
        if (script != null) {
            script.destroyForcibly();
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
        int passed = 0;
        for (int run = 1; run <= runs; run++) {
            String output = runScript(restart);
            assertThat(output).as("run %d of %d (%d passed before); output of chat.mjs:%n%s", run, runs, passed, output)
                    .contains("PASS");
            passed++;
        }
        System.out.println("chat.mjs: " + passed + " of " + runs + " runs passed (restart: " + restart + ", gateways: "
                + cluster.gateways().size() + ")");
    }

    /** One run of chat.mjs against gateway 0, restarting it when the script asks; returns its output. */
    private String runScript(boolean restart) throws Exception {
        String baseUrl = cluster.httpUri(0).toString();
        List<String> command = restart ? List.of("node", "chat.mjs", baseUrl)
                : List.of("node", "chat.mjs", baseUrl, "--no-restart");
        ProcessBuilder builder = new ProcessBuilder(command).directory(E2E.toFile()).redirectErrorStream(true);
        builder.environment().put("E2E_ARTIFACTS", BrowserScripts.ARTIFACTS.toString());
        script = builder.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process current = script;
        Thread reader = Thread.ofPlatform().daemon().name("chat.mjs-output").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(current.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(reading the script's output failed: " + e + ")");
            } finally {
                lines.add(END);
            }
        });

        StringBuilder output = new StringBuilder();
        int restarts = 0;
        long deadline = System.nanoTime() + SCRIPT_TIMEOUT.toNanos();
        try (Writer stdin = script.outputWriter(StandardCharsets.UTF_8)) {
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    output.append("(no end within ").append(SCRIPT_TIMEOUT).append(")\n");
                    break;
                }
                if (line.equals(END)) {
                    break;
                }
                System.out.println("chat.mjs | " + line);
                output.append(line).append('\n');
                if (line.equals("RESTART_GATEWAY")) {
                    cluster.restartGateway(0);
                    restarts++;
                    stdin.write("RESTARTED\n");
                    stdin.flush();
                }
            }
        }
        boolean exited = script.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        reader.join(Duration.ofSeconds(5));

        assertThat(exited).as("chat.mjs ended within %s; its output:%n%s", SCRIPT_TIMEOUT, output).isTrue();
        assertThat(script.exitValue()).as("exit code of chat.mjs; its output:%n%s", output).isZero();
        assertThat(restarts).as("gateway restarts asked for; output:%n%s", output).isEqualTo(restart ? 1 : 0);
        script = null;
        return output.toString();
    }
}
