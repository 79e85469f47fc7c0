package io.switchboard.bench.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs a tiny presence join at both sizes in two child JVMs; asserts consistency, traffic and the table, never timing. */
class PresenceJoinSmokeTest {
    @TempDir
    Path dir;

    @Test
    void everyClientSeesTheFullCountAtBothSizes() throws IOException {
        PresenceJoinSpec spec = new PresenceJoinSpec(30, 2, 2, Duration.ofSeconds(60), Duration.ofMillis(200));
        Path out = dir.resolve("presence.md");

        List<PresenceJoinResult> results = new PresenceJoinBenchmark(spec, System.out).run(out);

        assertThat(results).extracting(PresenceJoinResult::clients).containsExactly(3, 30);
        assertThat(results).extracting(PresenceJoinResult::clientProcesses).containsExactly(2, 2);
        assertThat(results).allSatisfy(r -> {
            assertThat(r.inconsistent()).as("%d clients: %s", r.clients(), r.problems()).isZero();
            assertThat(r.errors()).as("%d clients: %s", r.clients(), r.problems()).isZero();
            assertThat(r.consistentByEvent() + r.consistentByPage()).isEqualTo(r.clients());
            assertThat(r.totalFrames()).as("presence events received").isPositive();
            assertThat(r.naiveTotalFrames()).isEqualTo((long) r.clients() * r.clients());
        });
        assertThat(Files.readAllLines(out)).anySatisfy(line -> assertThat(line).startsWith("| 30 | "));
    }

    @Test
    void refusesMoreClientsThanOpenFilesAllow() {
        PresenceJoinSpec huge = new PresenceJoinSpec(100_000_000, 2, 1, Duration.ofSeconds(1), Duration.ZERO);

        assertThatThrownBy(() -> PresenceJoinBenchmark.checkFileDescriptors(huge))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ulimit -n");
    }
}
