package io.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryWaitsTest {
    @Test
    void doublesAfterEachFailedAttemptUpToTheCap() {
        RetryWaits waits = new RetryWaits(Duration.ofMillis(100), Duration.ofSeconds(5));
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            millis.add(waits.current().toMillis());
            waits.advance();
        }
        assertThat(millis.subList(0, 8)).containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L);
        assertThat(millis.subList(8, 100)).containsOnly(5000L);
    }

    @Test
    void multipliesByAGivenFactorAndStartsAgainAfterAReset() {
        RetryWaits waits = new RetryWaits(Duration.ofMillis(250), 4, Duration.ofSeconds(5));
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            millis.add(waits.current().toMillis());
            waits.advance();
        }
        assertThat(millis).containsExactly(250L, 1000L, 4000L, 5000L);
        waits.reset();
        assertThat(waits.current()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void rejectsWaitsBelowAMillisecondOrACapBelowTheStart() {
        assertThatThrownBy(() -> new RetryWaits(Duration.ofNanos(10), Duration.ofSeconds(1)))
                .hasMessage("waits: PT0.00000001S..PT1S (expected: 1 ms <= initial <= max)");
        assertThatThrownBy(() -> new RetryWaits(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("(expected: 1 ms <= initial <= max)");
        assertThatThrownBy(() -> new RetryWaits(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(2)))
                .hasMessage("multiplier: 0.5 (expected: >= 1)");
    }
}
