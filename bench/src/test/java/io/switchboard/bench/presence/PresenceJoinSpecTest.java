package io.switchboard.bench.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How clients are split over child JVMs, and the child protocol's argument and report lines. */
class PresenceJoinSpecTest {
    private static PresenceJoinSpec spec(int clients, int processes) {
        return new PresenceJoinSpec(clients, 2, processes, Duration.ofSeconds(1), Duration.ZERO);
    }

    @Test
    void defaultProcessCountKeepsEachChildAtOrUnderTheCap() {
        assertThat(PresenceJoinSpec.processesFor(1)).isEqualTo(1);
        assertThat(PresenceJoinSpec.processesFor(8_000)).isEqualTo(1);
        assertThat(PresenceJoinSpec.processesFor(8_001)).isEqualTo(2);
        assertThat(PresenceJoinSpec.processesFor(10_000)).isEqualTo(2);
        assertThat(spec(10_000, 2).largestShare()).isEqualTo(5_000);
    }

    @Test
    void sharesCoverEveryClientOnce() {
        PresenceJoinSpec spec = spec(10_001, 3);
        List<Integer> sizes = IntStream.range(0, 3).map(p -> spec.firstClientOf(p + 1) - spec.firstClientOf(p))
                .boxed().toList();

        assertThat(spec.firstClientOf(0)).isZero();
        assertThat(spec.firstClientOf(3)).isEqualTo(10_001);
        assertThat(sizes).containsExactly(3_333, 3_334, 3_334);
        assertThat(spec.withClients(2).clientProcesses()).isEqualTo(2);
    }

    @Test
    void rejectsMoreProcessesThanClients() {
        assertThatThrownBy(() -> spec(3, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clientProcesses: 4 (expected: 1..3)");
    }

    @Test
    void shareAndReportSurviveTheirLines() {
        ClientShare share = new ClientShare(5_000, 5_000, 10_000, Duration.ofSeconds(120),
                List.of(URI.create("ws://127.0.0.1:1/ws"), URI.create("ws://127.0.0.1:2/ws")));
        ClientReport ok = new ClientReport(11, 22, true, 10_000, 2, 85, 2, null);
        ClientReport failed = new ClientReport(0, 0, false, -1, 0, 0, 0, "closed: 1006 reset by peer");

        assertThat(ClientShare.parse(share.toArgs().toArray(String[]::new))).isEqualTo(share);
        assertThat(share.gatewayOf(5_001)).isEqualTo(URI.create("ws://127.0.0.1:2/ws"));
        assertThat(ClientReport.parse(ok.toLine())).isEqualTo(ok);
        assertThat(ClientReport.parse(failed.toLine())).isEqualTo(failed);
    }
}
