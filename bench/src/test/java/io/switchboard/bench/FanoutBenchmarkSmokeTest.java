package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs a tiny fan-out benchmark against both targets; asserts what was delivered and written, never timing. */
class FanoutBenchmarkSmokeTest {
    @TempDir
    Path dir;

    @Test
    void deliversOnBothTargetsAndWritesBothRows() throws IOException {
        FanoutSpec spec = new FanoutSpec(20, 2, 20, Duration.ofSeconds(2), Duration.ofSeconds(1), 64, 2, 1,
                Duration.ofSeconds(20));
        Path out = dir.resolve("fanout.md");

        List<FanoutResult> results = new FanoutBenchmark(spec, FanoutBenchmark.Targets.BOTH, System.out).run(out);

        assertThat(results).extracting(FanoutResult::target).containsExactly("baseline", "switchboard");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.sent()).as("%s sent", r.target()).isPositive();
            assertThat(r.acked()).as("%s acked", r.target()).isEqualTo(r.sent());
            assertThat(r.delivered()).as("%s delivered", r.target()).isPositive().isEqualTo(r.expected());
            assertThat(r.samples()).as("%s latency samples", r.target()).isEqualTo(r.delivered());
            assertThat(r.errors()).as("%s errors: %s", r.target(), r.problems()).isZero();
            assertThat(r.slowConsumerCloses() + r.otherCloses()).as("%s closes: %s", r.target(), r.problems()).isZero();
        });
        assertThat(Files.readAllLines(out))
                .anySatisfy(line -> assertThat(line).startsWith("| baseline | 20 | 2 | 20 |"))
                .anySatisfy(line -> assertThat(line).startsWith("| switchboard | 20 | 2 | 20 |"));
    }

    @Test
    void writesJsonWhenTheFileNameSaysSo() throws IOException {
        FanoutSpec spec = new FanoutSpec(4, 2, 20, Duration.ofMillis(500), Duration.ZERO, 16, 1, 1,
                Duration.ofSeconds(10));
        Path out = dir.resolve("nested").resolve("fanout.json");

        new FanoutBenchmark(spec, FanoutBenchmark.Targets.BASELINE, System.out).run(out);

        JsonNode rows = new ObjectMapper().readTree(out.toFile());
        assertThat(rows.isArray()).as("a JSON array: %s", rows).isTrue();
        assertThat(rows).singleElement().satisfies(row -> {
            assertThat(row.path("target").asText()).isEqualTo("baseline");
            assertThat(row.path("clients").asInt()).isEqualTo(4);
            assertThat(row.path("rooms").asInt()).isEqualTo(2);
            assertThat(row.path("rate").asDouble()).isEqualTo(20.0);
            assertThat(row.path("acked").asLong()).isEqualTo(row.path("sent").asLong());
            assertThat(row.path("delivered").asLong()).isPositive().isEqualTo(row.path("expected").asLong());
            assertThat(row.has("p99Ms")).as("p99Ms in %s", row).isTrue();
        });
    }
}
