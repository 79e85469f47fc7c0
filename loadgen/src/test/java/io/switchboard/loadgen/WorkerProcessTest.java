package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The coordinator's reading of a worker's stdout, with small shell scripts standing in for the worker JVM. */
class WorkerProcessTest {
    private static WorkerProcess worker(String script) throws Exception {
        return new WorkerProcess(new ProcessBuilder("sh", "-c", script)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    @Test
    void linesThatAreNotEventsAreSkipped() throws Exception {
        // What a JVM warning on stdout looks like, then a JSON line without an event, then the event.
        try (WorkerProcess w = worker("echo '[0.001s][warning][cds] noise'; echo '{\"other\":1}'; "
                + "echo '{\"event\":\"connected\",\"body\":{\"ok\":3}}'; cat > /dev/null")) {
            assertThat(w.await("connected", Duration.ofSeconds(30)).get("ok").asInt()).isEqualTo(3);
        }
    }

    @Test
    void aWorkerThatEndsEarlySaysSoWithItsExitCode() throws Exception {
        try (WorkerProcess w = worker("exit 3")) {
            assertThatThrownBy(() -> w.await("step", Duration.ofSeconds(30)))
                    .hasMessageContaining("ended before it sent step")
                    .hasMessageContaining("exit code 3");
        }
    }
}
