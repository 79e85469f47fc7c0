package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compare} starts the Java baselines from the bench jar as their own processes, finds their URLs and runs a
 * small fanout and acks workload against each, its clients in two worker processes. Asserts facts only, never
 * timings: every publish was acknowledged, every due delivery arrived exactly once, nothing was dropped. One
 * subprotocol is enough here: BroadcastServerContract (bench) covers both for every baseline.
 */
class CompareBaselineTargetsTest {
    // Maven runs the tests in the module's directory; the reactor builds bench first (see pom.xml).
    private static final Path BENCH_JAR = Path.of("../bench/target/switchboard-bench.jar").toAbsolutePath().normalize();
    private static final int ROOMS = 3;
    private static final int MEMBERS = 4;

    @TempDir
    Path dir;

    @Test
    void everyBaselineAcksEveryPublishAndDeliversEveryMessage() throws Exception {
        assertThat(BENCH_JAR).as("the bench jar (build the bench module first)").isRegularFile();
        Path out = dir.resolve("compare");
        // A failed run fails here with its exception: against a server, the server's last lines of output.
        CommandRuns.succeed("compare", "--targets", "helidon,netty", "--bench-jar", BENCH_JAR.toString(),
                "--subprotocol", "PROTO", "--workload", "fanout,acks",
                "--rooms", Integer.toString(ROOMS), "--members", Integer.toString(MEMBERS), "--rate", "30",
                "--ack-clients", "6", "--ack-rate", "2", "--ack-rooms", "2", "--ack-members", "2",
                "--warmup", "PT1S", "--later-warmup", "PT1S", "--duration", "PT2S", "--drain-timeout", "PT20S",
                "--processes", "2", "--source-addresses", "4", "--worker-warm-up", "2000", "--out", out.toString());
        LoadReport report = new ObjectMapper().readValue(out.resolveSibling(out.getFileName() + ".json").toFile(),
                LoadReport.class);

        assertThat(report.targets()).extracting(LoadReport.TargetResult::target).containsExactly("helidon", "netty");
        for (LoadReport.TargetResult target : report.targets()) {
            List<StepFigures> steps = target.steps();
            assertThat(steps).extracting(StepFigures::workload).containsExactly("fanout", "acks");
            // 30 publishes/s and 6 clients x 2/s, each for 2 s.
            assertThat(steps.get(0).sent()).as(target.target() + " fanout sent").isEqualTo(60);
            assertThat(steps.get(1).sent()).as(target.target() + " acks sent").isEqualTo(24);
            for (StepFigures step : steps) {
                String what = target.target() + " " + step.workload();
                assertThat(step.acked()).as(what + " acked").isEqualTo(step.sent());
                assertThat(step.ackErrors()).as(what + " ack errors").isZero();
                assertThat(step.expected()).as(what + " expected").isEqualTo(step.sent() * step.members());
                assertThat(step.delivered()).as(what + " delivered").isEqualTo(step.expected());
                assertThat(step.lost()).as(what + " lost").isZero();
                assertThat(step.duplicates()).as(what + " duplicates").isZero();
                assertThat(step.outOfOrder()).as(what + " out of order").isZero();
                assertThat(step.errors()).as(what + " errors: " + step.firstError()).isZero();
                assertThat(step.drops()).as(what + " drops").isZero();
            }
        }
        assertThat(Files.readString(out.resolveSibling(out.getFileName() + ".md")))
                .contains("| helidon | fanout |", "| netty | fanout |", "| netty | acks |");
    }
}
