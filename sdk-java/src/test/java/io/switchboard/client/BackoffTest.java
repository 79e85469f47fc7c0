package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(1);

    @Test
    void capsDoubleUpToTheMaximum() {
        Backoff backoff = new Backoff(INITIAL, MAX, new SplittableRandom(1));
        assertThat(java.util.stream.IntStream.range(0, 7).mapToObj(backoff::cap).map(Duration::toMillis))
                .containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L, 1000L);
        assertThat(backoff.cap(500)).isEqualTo(MAX);
    }

    @Test
    void fullJitterDrawsUniformlyUpToTheCap() {
        // A generator that always returns the largest allowed value shows the bound is inclusive of the cap.
        RandomGenerator highest = new RandomGenerator() {
            @Override
            public long nextLong() {
                return Long.MAX_VALUE;
            }

            @Override
            public long nextLong(long bound) {
                return bound - 1;
            }
        };
        Backoff backoff = new Backoff(INITIAL, MAX, highest);
        assertThat(backoff.delay(0)).isEqualTo(INITIAL);
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.delay(9)).isEqualTo(MAX);
    }

    @Test
    void seededRandomGivesAReproducibleSequenceWithinTheCaps() {
        Backoff first = new Backoff(INITIAL, MAX, new SplittableRandom(42));
        Backoff second = new Backoff(INITIAL, MAX, new SplittableRandom(42));
        for (int attempt = 0; attempt < 10; attempt++) {
            Duration delay = first.delay(attempt);
            assertThat(delay).isEqualTo(second.delay(attempt)).isBetween(Duration.ZERO, first.cap(attempt));
        }
    }
}
