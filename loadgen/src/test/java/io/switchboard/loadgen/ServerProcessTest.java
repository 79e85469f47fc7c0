package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
