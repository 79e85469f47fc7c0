package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkerWarmUpTest {
    /**
     * Every frame the warm-up makes passes the client's frame decoder, the subprotocol's decoder and the
     * connection's order and duplicate checks: a change to any of them that the warm-up's frames no longer fit
     * shows here (and fails the generator's prepare step) instead of leaving the path cold.
     */
    @ParameterizedTest
    @CsvSource({"FANOUT, JSON", "FANOUT, PROTO", "ACKS, JSON", "ACKS, PROTO"})
    void everyWarmUpDeliveryIsDecodedAndCountedOnce(Workload workload, WireFormat format) {
        Plan plan = new Plan(workload, format, List.of(URI.create("ws://127.0.0.1:1/ws")), 2, 3, 2, 0, 64,
                LoadSettings.DEFAULT_SECRET, 1, 1, 10, "t");

        assertThat(WorkerWarmUp.run(plan, 3_000)).isEqualTo(3_000);
    }
}
