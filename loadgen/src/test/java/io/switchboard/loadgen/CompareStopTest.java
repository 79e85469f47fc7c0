package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generator stopped in the middle of {@code compare} (Ctrl-C, SIGTERM) stops the server it started: left running,
 * the server would hold its port and a core and be measured beside the next run.
 */
class CompareStopTest {
    private static final Path BENCH_JAR = Path.of("../bench/target/switchboard-bench.jar").toAbsolutePath().normalize();
    private static final Pattern STARTED = Pattern.compile("^helidon: pid (\\d+) at ");

    @TempDir
    Path dir;

    @Test
    void aStoppedGeneratorStopsTheServerItStarted() throws Exception {
        assertThat(BENCH_JAR).as("the bench jar (build the bench module first)").isRegularFile();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process generator = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LoadMain.class.getName(), "compare", "--targets", "helidon", "--bench-jar", BENCH_JAR.toString(),
                "--workload", "idle", "--connections", "2", "--hold", "PT10M", "--out", dir.resolve("r").toString())
                .redirectErrorStream(true).start();
        ProcessHandle server = null;
        try {
            CompletableFuture<Long> serverPid = CompletableFuture.supplyAsync(() -> readServerPid(generator));
            long pid = serverPid.get(120, TimeUnit.SECONDS);
            server = ProcessHandle.of(pid).orElseThrow();
            assertThat(server.isAlive()).isTrue();

            generator.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the JVM runs its shutdown hooks

            assertThat(generator.waitFor(60, TimeUnit.SECONDS)).as("the generator exited").isTrue();
            ProcessHandle started = server;
            await().atMost(Duration.ofSeconds(30)).until(() -> !started.isAlive());
        } finally {
            generator.destroyForcibly();
            Optional.ofNullable(server).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** The pid of the server the generator announced it started; the rest of its output is drained meanwhile. */
    private static long readServerPid(Process generator) {
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(generator.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            List<String> seen = new ArrayList<>();
            while ((line = out.readLine()) != null) {
                Matcher m = STARTED.matcher(line);
                if (m.find()) {
                    Thread.ofPlatform().daemon().start(() -> out.lines().forEach(l -> { }));
                    return Long.parseLong(m.group(1));
                }
                seen.add(line);
            }
            throw new IllegalStateException("the generator ended without starting its server: " + seen);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
