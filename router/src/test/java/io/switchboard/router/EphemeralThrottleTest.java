package io.switchboard.router;

import io.switchboard.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class EphemeralThrottleTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final EphemeralThrottle throttle = new EphemeralThrottle(Duration.ofSeconds(1), 1_000,
            InProcessRouter.ticker(clock));
    private final EphemeralThrottle.Key typing = new EphemeralThrottle.Key("alice", "chat:lobby", "typing");

    @Test
    void oneEventPerKeyPerInterval() {
        assertThat(throttle.tryAcquire(typing, false)).isTrue();
        assertThat(throttle.tryAcquire(typing, false)).isFalse();
        clock.advance(Duration.ofMillis(999));
        assertThat(throttle.tryAcquire(typing, false)).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(throttle.tryAcquire(typing, false)).isTrue();
        assertThat(throttle.tryAcquire(typing, false)).isFalse();
    }

    @Test
    void keysAreThrottledIndependently() {
        assertThat(throttle.tryAcquire(typing, false)).isTrue();

        assertThat(throttle.tryAcquire(new EphemeralThrottle.Key("bob", "chat:lobby", "typing"), false)).isTrue();
        assertThat(throttle.tryAcquire(new EphemeralThrottle.Key("alice", "chat:other", "typing"), false)).isTrue();
        assertThat(throttle.tryAcquire(new EphemeralThrottle.Key("alice", "chat:lobby", "cursor"), false)).isTrue();
    }

    @Test
    void stopAlwaysPassesAndResetsTheWindow() {
        assertThat(throttle.tryAcquire(typing, false)).isTrue();

        assertThat(throttle.tryAcquire(typing, true)).isTrue();
        assertThat(throttle.tryAcquire(typing, true)).isTrue();
        assertThat(throttle.tryAcquire(typing, false)).as("typing again right after a stop").isTrue();
        assertThat(throttle.tryAcquire(typing, false)).isFalse();
    }

    @Test
    void forgetReopensTheWindow() {
        assertThat(throttle.tryAcquire(typing, false)).isTrue();
        throttle.forget(typing);

        assertThat(throttle.tryAcquire(typing, false)).isTrue();
    }

    @Test
    void aZeroIntervalTurnsThrottlingOff() {
        EphemeralThrottle off = new EphemeralThrottle(Duration.ZERO, 1_000, InProcessRouter.ticker(clock));

        assertThat(off.tryAcquire(typing, false)).isTrue();
        assertThat(off.tryAcquire(typing, false)).isTrue();
    }
}
