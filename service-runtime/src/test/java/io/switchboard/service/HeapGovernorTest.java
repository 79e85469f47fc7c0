package io.switchboard.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.service.HeapGovernor.Ratios;
import io.switchboard.service.HeapGovernor.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeapGovernorTest {
    private static final long MIB = 1024 * 1024;
    private static final long SECOND = 1_000_000_000L;
    private static final Settings SETTINGS = new Settings(16 * MIB, new Ratios(40, 70), Duration.ofSeconds(5));

    private static final String[] BUSY = {"MaxHeapFreeRatio=70", "MinHeapFreeRatio=40", "G1PeriodicGCInterval=0"};
    private static final String[] BUSY_THEN_IDLE = {"MaxHeapFreeRatio=70", "MinHeapFreeRatio=40",
        "G1PeriodicGCInterval=0", "MinHeapFreeRatio=10", "MaxHeapFreeRatio=30", "G1PeriodicGCInterval=5000"};

    private final List<String> flagsSet = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private long allocated;
    private long now;

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private HeapGovernor governor(Settings settings, HeapGovernor.FlagWriter flags) {
        return new HeapGovernor(settings, new Ratios(10, 30), 5000, () -> allocated, () -> now, flags, timer);
    }

    private HeapGovernor governor() {
        return governor(SETTINGS, (flag, value) -> flagsSet.add(flag + "=" + value));
    }

    /** One second passes in which the process allocates {@code mib} MiB, then the governor ticks. */
    private void second(HeapGovernor governor, long mib) {
        allocated += mib * MIB;
        now += SECOND;
        governor.tick();
    }

    @Test
    void takesTheBusyRatiosInTheFirstSecondAtTheRateAndGivesThemBackAfterTheQuietPeriod() {
        HeapGovernor governor = governor();
        second(governor, 15);
        assertThat(flagsSet).isEmpty();
        assertThat(governor.busy()).isFalse();

        second(governor, 16);
        assertThat(governor.busy()).isTrue();
        // The max first: a min above the max is refused.
        assertThat(flagsSet).containsExactly(BUSY);

        for (int i = 0; i < 4; i++) {
            second(governor, 1);
        }
        assertThat(governor.busy()).as("four quiet seconds of five").isTrue();
        second(governor, 1);
        assertThat(governor.busy()).isFalse();
        assertThat(flagsSet).containsExactly(BUSY_THEN_IDLE);
    }

    @Test
    void aBusySecondStartsTheQuietPeriodAgain() {
        HeapGovernor governor = governor();
        second(governor, 64);
        for (int i = 0; i < 4; i++) {
            second(governor, 0);
        }
        second(governor, 64);
        for (int i = 0; i < 4; i++) {
            second(governor, 0);
        }
        assertThat(governor.busy()).isTrue();
        assertThat(flagsSet).containsExactly(BUSY);
        second(governor, 0);
        assertThat(governor.busy()).isFalse();
    }

    @Test
    void closeGivesBackTheRatiosTheJvmStartedWith() {
        HeapGovernor governor = governor();
        second(governor, 100);
        governor.close();
        assertThat(governor.busy()).isFalse();
        assertThat(flagsSet).containsExactly(BUSY_THEN_IDLE);
    }

    @Test
    void switchesThisJvmsOwnFlagsInAnOrderHotSpotAccepts() {
        Ratios start = HeapGovernor.jvmRatios();
        // Both profiles far from each other, so that setting the min first would put it above the max and back.
        Ratios busy = new Ratios(Math.min(start.maxFree() + 5, 95), 100);
        HeapGovernor.FlagWriter hotSpot = HeapGovernor.hotSpotFlags();
        assertThatThrownBy(() -> hotSpot.set(HeapGovernor.MIN_FLAG, busy.minFree()))
                .as("HotSpot refuses a min above the max")
                .isInstanceOf(IllegalArgumentException.class);
        long original = HeapGovernor.jvmPeriodicMillis();
        long periodic = 7000; // as if started with -XX:G1PeriodicGCInterval=7000
        HeapGovernor governor = new HeapGovernor(new Settings(MIB, busy, Duration.ofSeconds(1)), start, periodic,
                () -> allocated, () -> now, hotSpot, timer);
        try {
            second(governor, 2);
            assertThat(HeapGovernor.jvmRatios()).isEqualTo(busy);
            assertThat(HeapGovernor.jvmPeriodicMillis()).isZero();
            second(governor, 0);
            assertThat(HeapGovernor.jvmRatios()).isEqualTo(start);
            assertThat(HeapGovernor.jvmPeriodicMillis()).isEqualTo(periodic);
        } finally {
            governor.close();
            hotSpot.set(HeapGovernor.PERIODIC_FLAG, original);
            assertThat(HeapGovernor.jvmRatios()).isEqualTo(start);
        }
    }

    @Test
    void aZeroRateTurnsTheGovernorOff() {
        assertThat(HeapGovernor.startIfEnabled(new Settings(0, new Ratios(40, 70), Duration.ofSeconds(5)))).isNull();
    }

    @Test
    void readsItsSystemPropertiesWithTheirDefaultsAndNamesABadOne() {
        Settings defaults = Settings.fromSystemProperties();
        assertThat(defaults).isEqualTo(new Settings(16 * MIB, new Ratios(50, 75), Duration.ofSeconds(5)));
        try {
            System.setProperty(Settings.BUSY_RATE_PROPERTY, "0");
            System.setProperty(Settings.BUSY_RATIOS_PROPERTY, "45:65");
            System.setProperty(Settings.QUIET_SECONDS_PROPERTY, "12");
            assertThat(Settings.fromSystemProperties())
                    .isEqualTo(new Settings(0, new Ratios(45, 65), Duration.ofSeconds(12)));
            System.setProperty(Settings.BUSY_RATE_PROPERTY, "lots");
            assertThatThrownBy(Settings::fromSystemProperties)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Settings.BUSY_RATE_PROPERTY);
        } finally {
            System.clearProperty(Settings.BUSY_RATE_PROPERTY);
            System.clearProperty(Settings.BUSY_RATIOS_PROPERTY);
            System.clearProperty(Settings.QUIET_SECONDS_PROPERTY);
        }
    }

    @Test
    void refusesRatiosThatHotSpotWouldRefuse() {
        assertThat(Ratios.parse(" 40:70 ")).isEqualTo(new Ratios(40, 70));
        assertThatThrownBy(() -> Ratios.parse("70:40")).hasMessageContaining("0 <= min <= max <= 100");
        assertThatThrownBy(() -> Ratios.parse("40")).hasMessageContaining("MIN:MAX");
        assertThatThrownBy(() -> Ratios.parse("40:x")).hasMessageContaining("MIN:MAX");
        assertThatThrownBy(() -> new Settings(MIB, new Ratios(40, 70), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
