package io.switchboard.bench.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.TimeMeter;
import io.switchboard.gateway.limits.FrameRateLimiter;
import org.junit.jupiter.api.Test;

class CutOffTest {
    private static final FrameRateLimiter.Settings LIMITS = new FrameRateLimiter.Settings(100, 200, 1_000_000,
            1_000_000, 10, TimeMeter.SYSTEM_NANOTIME);

    @Test
    void aFloodGetsItsBurstThroughThenIsClosedAfterTheToleratedRefusals() {
        CutOff.Figures f = CutOff.measure(LIMITS, 10_000, 100, 1_000_000);
        assertThat(f.acceptedBeforeRefusal()).isBetween(200L, 210L);
        assertThat(f.sentBeforeClose() - f.acceptedBeforeClose()).as("refused before the close").isBetween(11L, 12L);
        assertThat(f.timeToClose()).isPositive();
    }

    @Test
    void aClientWithinTheLimitIsNeverCut() {
        CutOff.Figures f = CutOff.measure(LIMITS, 100, 100, 10_000);
        assertThat(f.sentBeforeClose()).isEqualTo(-1);
        assertThat(f.acceptedBeforeClose()).isEqualTo(10_000);
    }
}
