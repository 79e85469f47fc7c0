package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs a tiny resume storm with and without coalescing; asserts what was recovered and written, never timing. */
class ResumeStormSmokeTest {
    @TempDir
    Path dir;

    @Test
    void everyClientRecoversEveryMissedMessageInBothVariants() throws IOException {
        ResumeStormSpec spec = new ResumeStormSpec(20, 30, 2, Duration.ofSeconds(30));
        Path out = dir.resolve("storm.md");

        List<ResumeStormResult> results = new ResumeStormBenchmark(spec, ResumeStormBenchmark.Only.BOTH, System.out)
                .run(out);

        assertThat(results).extracting(ResumeStormResult::target).containsExactly(
                ResumeStormBenchmark.Variant.COALESCED.label(), ResumeStormBenchmark.Variant.UNCOALESCED.label());
        assertThat(results).allSatisfy(r -> {
            assertThat(r.recovered()).as("%s recovered: %s", r.target(), r.problems()).isEqualTo(20);
            assertThat(r.live()).as("%s live (replayed == missed, all messages): %s", r.target(), r.problems())
                    .isEqualTo(20);
            assertThat(r.failures()).isZero();
            assertThat(r.resumeReads()).as("%s gateway resume reads", r.target()).isPositive();
            assertThat(r.storeReads()).as("%s history store reads", r.target()).isPositive();
        });
        // Without coalescing every resuming client reads at least its own page.
        assertThat(results.get(1).storeReads()).as("baseline store reads").isGreaterThanOrEqualTo(20);
        assertThat(Files.readAllLines(out))
                .anySatisfy(line -> assertThat(line).startsWith("| switchboard (coalesced reads) | 20 | 30 |"))
                .anySatisfy(line -> assertThat(line).startsWith("| baseline (coalescing off) | 20 | 30 |"));
    }

    @Test
    void parsesItsOptions() {
        CommandLine main = BenchMain.commandLine();
        main.parseArgs("resume-storm", "--clients", "7", "--missed", "9", "--only", "uncoalesced");
        ResumeStormCommand command = main.getSubcommands().get("resume-storm").getCommand();

        assertThat(command.clients).isEqualTo(7);
        assertThat(command.missed).isEqualTo(9);
        assertThat(command.only).isEqualTo(ResumeStormBenchmark.Only.UNCOALESCED);
        assertThat(command.out.path()).isEqualTo(Path.of("bench/target/resume-storm-results.md"));
    }
}
