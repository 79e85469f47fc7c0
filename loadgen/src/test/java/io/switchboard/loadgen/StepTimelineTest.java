package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-second timeline: each delivery in the second of its intended time, workers merged second by second. */
class StepTimelineTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    // 2 s of warm-up, then a 2 s window.
    private final StepSpec step = new StepSpec(0, 100, 1_000 * SECOND, 1_002 * SECOND, 1_004 * SECOND, SECOND, SECOND);

    @Test
    void deliveriesLandInTheSecondTheyWereIntendedInAndWorkersAreMerged() {
        StepRecorder first = new StepRecorder(step);
        StepRecorder second = new StepRecorder(step);
        first.delivery(at(0, 100), at(0, 100) + 300 * MS, true, false);
        second.delivery(at(0, 900), at(0, 900) + 500 * MS, true, false);
        first.delivery(at(3, 10), at(3, 10) + 2 * MS, true, false);
        first.delivery(at(3, 20), at(3, 20) + 2 * MS, true, true); // a duplicate is not a delivery
        second.delivery(step.start() - MS, step.start() + MS, true, false); // before the step: not in it

        List<SecondFigures> timeline = StepTimeline.merge(List.of(
                first.stats(0, 0).timeline(), second.stats(1, 0).timeline()), step);

        assertThat(timeline).extracting(SecondFigures::second).containsExactly(0, 1, 2, 3);
        assertThat(timeline).extracting(SecondFigures::measured).containsExactly(false, false, true, true);
        assertThat(timeline).extracting(SecondFigures::deliveries).containsExactly(2L, 0L, 0L, 1L);
        assertThat(timeline.get(0).max()).isBetween(499.0, 501.0);
        assertThat(timeline.get(0).p50()).isBetween(299.0, 301.0);
        assertThat(timeline.get(1).p99()).isNaN();
        assertThat(timeline.get(3).p99()).isBetween(1.99, 2.01);
        assertThat(ResultTables.timelineLine(timeline)).matches("500\\.\\d - \\| - 2\\.00");
    }

    private long at(int second, int millis) {
        return step.start() + second * SECOND + millis * MS;
    }
}
