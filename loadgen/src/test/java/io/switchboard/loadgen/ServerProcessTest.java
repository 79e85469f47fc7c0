package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerProcessTest {
    @TempDir
    Path dir;

    @Test
    void aServerThatExitsBeforeItIsReadyFailsWithItsExitCodeAndLastLines() {
        Path log = dir.resolve("server.log");
        try (ServerProcess server = ServerProcess.start("baseline", List.of("sh", "-c",
                "for i in 1 2 3 4 5 6 7 8 9 10; do echo line $i; done; echo 'Error: no main class' >&2; exit 3"),
                dir, log, 1)) {
            assertThatThrownBy(() -> server.awaitUrls(Duration.ofSeconds(30)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("baseline did not start: baseline exited with 3; see " + log)
                    .hasMessageContaining("its last lines:\n  line 4\n  line 5")
                    .hasMessageEndingWith("line 10\n  Error: no main class")
                    .hasMessageNotContaining("line 3\n");
        }
    }

    @Test
    void aRunThatFailsAgainstAReadyServerQuotesTheServersLastLines() {
        Path log = dir.resolve("server.log");
        // 50 lines after the exception's: a run's failure quotes the last 40.
        String script = "echo listening on ws://127.0.0.1:1234/ws; echo 'SEVERE: upgrade failed: java.lang.Boom';"
                + " for i in $(seq 1 39); do echo \"  at frame $i\"; done; exec sleep 60";
        try (ServerProcess server = ServerProcess.start("helidon", List.of("sh", "-c", script), dir, log, 1)) {
            assertThat(server.awaitUrls(Duration.ofSeconds(30))).hasSize(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> server.lastLines(1).contains("frame 39"));

            IllegalStateException failure = server.failure(new IllegalStateException("1 of 15 clients failed: 500"));
            assertThat(failure).hasMessageStartingWith("1 of 15 clients failed: 500\nhelidon's last lines (" + log
                    + "):\n  SEVERE: upgrade failed: java.lang.Boom\n    at frame 1\n")
                    .hasMessageEndingWith("    at frame 39")
                    .hasMessageNotContaining("listening on");
            assertThat(failure.getCause()).hasMessage("1 of 15 clients failed: 500");
        }
    }
}
