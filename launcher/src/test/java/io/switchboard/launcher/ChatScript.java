package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@code e2e/chat.mjs} (two users of the demo page in headless Chromium) against a page at {@code baseUrl},
 * restarting gateway 0 of {@code cluster} when the script asks ({@code RESTART_GATEWAY} on its stdout) and confirming
 * it ({@code RESTARTED} on its stdin). The script's exit code is the verdict. Not thread-safe: one run at a time.
 */
final class ChatScript implements AutoCloseable {
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);
    private static final String END = "\u0000end";

    private final LocalCluster cluster;
    private Process script;

    ChatScript(LocalCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Runs the script to its end and returns its output; fails unless it exited 0 within 4 minutes, having asked for
     * one restart when {@code restart}.
     *
     * @param options the script's options after the URL, e.g. {@code --no-restart}
     */
    String run(String baseUrl, boolean restart, List<String> options) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "chat.mjs", baseUrl));
        if (!restart) {
            command.add("--no-restart");
        }
        command.addAll(options);
        ProcessBuilder builder = new ProcessBuilder(command).directory(BrowserScripts.E2E.toFile()).redirectErrorStream(true);
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

    /** Ends a script still running (a failed run). */
    @Override
    public void close() {
        if (script != null) {
            script.destroyForcibly();
        }
    }
}
