package io.switchboard.bench.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs a tiny self-contained api-stream comparison; asserts acks, deliveries and the table, never timing. */
class ApiStreamSmokeTest {
    @TempDir
    Path dir;

    @Test
    void bothVariantsAckAndDeliverEveryMessage() throws IOException, InterruptedException {
        ApiStreamSpec spec = new ApiStreamSpec(Optional.empty(), "", Optional.empty(), "", 1, 2, 300, 50, 16, 32,
                Duration.ofSeconds(60));
        Path out = dir.resolve("api.md");

        List<ApiStreamResult> results = new ApiStreamBenchmark(spec, System.out).run(out);

        assertThat(results).extracting(ApiStreamResult::variant)
                .containsExactly("unary Publish (baseline)", "PublishStream");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.error()).as(r.variant()).isEmpty();
            assertThat(r.acked()).as(r.variant()).isEqualTo(300);
            assertThat(r.delivered()).as(r.variant()).isEqualTo(600);
        });
        assertThat(Files.readAllLines(out)).anySatisfy(line -> assertThat(line).startsWith("| PublishStream | 300 | 300 | 0 |"));
    }
}
