package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proto.client.v1.EphemeralEvent;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TypingTrackerTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final TypingTracker tracker = new TypingTracker(clock);

    private static EphemeralEvent typing(String user, String session, boolean stop) {
        return EphemeralEvent.newBuilder().setRoom("r").setKind("typing").setSender(user).setSessionId(session)
                .setStop(stop).setTtlMs(6000).build();
    }

    @Test
    void anIndicatorExpiresAfterItsTtlUnlessRenewed() {
        assertThat(tracker.apply(typing("bob", "s1", false))).isTrue();
        clock.set(clock.instant().plusSeconds(4));
        assertThat(tracker.apply(typing("bob", "s1", false))).isFalse(); // renewal: no change
        clock.set(clock.instant().plusSeconds(4));
        assertThat(tracker.expire()).isFalse();
        assertThat(tracker.users()).containsExactly("bob");
        assertThat(tracker.untilNextExpiry()).contains(Duration.ofSeconds(2));
        clock.set(clock.instant().plusSeconds(2));
        assertThat(tracker.expire()).isTrue();
        assertThat(tracker.users()).isEmpty();
        assertThat(tracker.untilNextExpiry()).isEmpty();
    }

    @Test
    void stopEndsAtOnceButOnlyForThatDevice() {
        tracker.apply(typing("bob", "phone", false));
        tracker.apply(typing("bob", "laptop", false));
        tracker.apply(typing("carol", "c", false));
        assertThat(tracker.apply(typing("bob", "phone", true))).isFalse();
        assertThat(tracker.users()).containsExactly("bob", "carol");
        assertThat(tracker.apply(typing("bob", "laptop", true))).isTrue();
        assertThat(tracker.users()).containsExactly("carol");
    }
}
