package io.switchboard.gateway.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The admin view's busiest rooms, windowed on an injected nano clock. */
class RoomRatesTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aWindowPublishesTheBusiestRoomsBusiestFirstLeavingOutTheReservedNamespace() {
        RoomRates rates = new RoomRates(Duration.ofSeconds(10), 2, 100);
        rates.roll(0);
        for (int i = 0; i < 30; i++) {
            rates.record("chat:busy", i * SECOND / 10);
        }
        for (int i = 0; i < 10; i++) {
            rates.record("chat:calm", i * SECOND);
            rates.record("switchboard:probe-0", i * SECOND);
        }
        rates.record("chat:quiet", SECOND);
        assertThat(rates.snapshot()).as("before the window ends").isEqualTo(RoomRates.Snapshot.NONE);

        rates.roll(10 * SECOND);
        RoomRates.Snapshot s = rates.snapshot();
        assertThat(s.window()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.totalPerSecond()).as("every record counts in the total").isEqualTo(5.1);
        assertThat(s.top()).containsExactly(new RoomRates.RoomRate("chat:busy", 3.0),
                new RoomRates.RoomRate("chat:calm", 1.0));

        rates.roll(20 * SECOND);
        assertThat(rates.snapshot().top()).as("a quiet window").isEqualTo(List.of());
        assertThat(rates.snapshot().totalPerSecond()).isZero();
    }

    @Test
    void roomsBeyondTheBoundOnlyCountInTheTotal() {
        RoomRates rates = new RoomRates(Duration.ofSeconds(1), 5, 5);
        rates.roll(0);
        for (int room = 0; room < 8; room++) {
            rates.record("r" + room, 0);
        }
        rates.roll(SECOND);
        assertThat(rates.snapshot().top()).hasSize(5);
        assertThat(rates.snapshot().totalPerSecond()).isEqualTo(8.0);
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new RoomRates(Duration.ZERO, 1, 1)).hasMessage("window: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new RoomRates(Duration.ofSeconds(1), 3, 2))
                .hasMessage("top, maxRooms: 3, 2 (expected: top >= 1, maxRooms >= top)");
    }
}
