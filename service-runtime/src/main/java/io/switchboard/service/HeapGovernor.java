package io.switchboard.service;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.ThreadMXBean;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Gives G1 room while the process allocates fast and takes it back when it idles, by switching the JVM's manageable
 * {@code MinHeapFreeRatio} and {@code MaxHeapFreeRatio} flags between two profiles.
 *
 * <p>Why: the tight ratios of {@code deploy/jvm/server-g1.jvm-options} (10 and 30) hand back the heap a connection
 * storm made G1 take, which is what keeps an idle connection small; but under a steady delivery load they keep the
 * committed heap at about 1.4x the live data, so the young generation is small (a pause every second or so) and the
 * old one is always above the marking threshold (a concurrent cycle every few seconds). Roomier ratios (50 and 75 by
 * default, near G1's own 40 and 70) give the same load a young pause every 3-10 s and few concurrent cycles: a lower
 * p99 and less CPU, for more memory while busy ({@code docs/performance.md}, Round 23). No G1 setting of Java 25
 * sizes the heap by load, so this does. While busy it also turns {@code G1PeriodicGCInterval} off: with young pauses
 * further apart than the interval, the periodic collection would start a needless concurrent cycle every 5 s.
 *
 * <p>Busy: the process allocated at least {@link Settings#busyBytesPerSecond()} in the last second; the busy profile
 * applies at once. Idle: below that rate for {@link Settings#quietPeriod()}; the idle profile (the ratios and the
 * periodic interval the JVM was started with) applies, and G1 gives the heap back at its next concurrent cycle
 * ({@code G1PeriodicGCInterval} starts one in an idle process). Decisions are made by {@link #tick()}, once a second
 * on a daemon thread of its own. The mains start it once the process is ready, so start-up keeps the tight heap.
 *
 * <p>Thread-safe: {@link #tick()} runs on the governor's thread only (and {@link #close()} after it has stopped);
 * {@link #busy()} may be read from any thread.
 */
public final class HeapGovernor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HeapGovernor.class.getName());
    static final String MIN_FLAG = "MinHeapFreeRatio";
    static final String MAX_FLAG = "MaxHeapFreeRatio";
    static final String PERIODIC_FLAG = "G1PeriodicGCInterval";

    /** The ratios of one profile, in percent of the committed heap left free after a collection. */
    public record Ratios(int minFree, int maxFree) {
        public Ratios {
            if (minFree < 0 || maxFree > 100 || minFree > maxFree) {
                throw new IllegalArgumentException("free ratios must satisfy 0 <= min <= max <= 100, not "
                        + minFree + ":" + maxFree);
            }
        }

        /** Parses {@code MIN:MAX}, e.g. {@code 40:70}. */
        public static Ratios parse(String text) {
            String[] parts = text.strip().split(":", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("free ratios are MIN:MAX, e.g. 40:70, not '" + text + "'");
            }
            try {
                return new Ratios(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("free ratios are MIN:MAX, e.g. 40:70, not '" + text + "'", e);
            }
        }

        @Override
        public String toString() {
            return minFree + ":" + maxFree;
        }
    }

    /**
     * What the governor does.
     *
     * @param busyBytesPerSecond allocation per second from which the process counts as busy; 0 turns the governor off
     * @param busy               the ratios while busy
     * @param quietPeriod        how long the process must stay below the rate before the idle ratios return
     */
    public record Settings(long busyBytesPerSecond, Ratios busy, Duration quietPeriod) {
        /** System property: MiB per second from which the process is busy (default 16; 0: the governor is off). */
        public static final String BUSY_RATE_PROPERTY = "switchboard.heap.busy-allocation-mib-per-second";
        /** System property: the busy profile's {@code MIN:MAX} free ratios (default {@code 50:75}). */
        public static final String BUSY_RATIOS_PROPERTY = "switchboard.heap.busy-free-ratios";
        /** System property: seconds below the rate before the idle ratios return (default 5). */
        public static final String QUIET_SECONDS_PROPERTY = "switchboard.heap.quiet-seconds";

        public Settings {
            Objects.requireNonNull(busy, "busy");
            if (busyBytesPerSecond < 0 || quietPeriod.isNegative() || quietPeriod.isZero()) {
                throw new IllegalArgumentException(BUSY_RATE_PROPERTY + " must be >= 0 and " + QUIET_SECONDS_PROPERTY
                        + " > 0");
            }
        }

        /** The settings given as system properties, with the defaults above. */
        public static Settings fromSystemProperties() {
            try {
                long mib = Long.parseLong(System.getProperty(BUSY_RATE_PROPERTY, "16").strip());
                long quiet = Long.parseLong(System.getProperty(QUIET_SECONDS_PROPERTY, "5").strip());
                return new Settings(mib * 1024 * 1024, Ratios.parse(System.getProperty(BUSY_RATIOS_PROPERTY, "50:75")),
                        Duration.ofSeconds(quiet));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + BUSY_RATE_PROPERTY + " and -D" + QUIET_SECONDS_PROPERTY
                        + " take whole numbers: " + e.getMessage(), e);
            }
        }
    }

    /** Sets a manageable JVM flag. */
    interface FlagWriter {
        void set(String flag, long value);
    }

    private final Settings settings;
    private final Ratios idle;
    private final long idlePeriodicMillis;
    private final LongSupplier allocatedBytes;
    private final LongSupplier nanoTime;
    private final FlagWriter flags;
    private final ScheduledExecutorService timer;
    private long lastBytes;
    private long lastNanos;
    private long busySinceNanos = -1;
    private long quietSinceNanos;
    private volatile boolean busyProfile;

    /**
     * @param idle               the ratios the JVM was started with
     * @param idlePeriodicMillis the {@code G1PeriodicGCInterval} it was started with
     */
    HeapGovernor(Settings settings, Ratios idle, long idlePeriodicMillis, LongSupplier allocatedBytes,
                 LongSupplier nanoTime, FlagWriter flags, ScheduledExecutorService timer) {
        this.settings = settings;
        this.idle = idle;
        this.idlePeriodicMillis = idlePeriodicMillis;
        this.allocatedBytes = allocatedBytes;
        this.nanoTime = nanoTime;
        this.flags = flags;
        this.timer = timer;
        this.lastBytes = allocatedBytes.getAsLong();
        this.lastNanos = nanoTime.getAsLong();
        this.quietSinceNanos = lastNanos;
    }

    /**
     * Starts governing this JVM's heap when the settings ask for it and the JVM can (G1, the allocation counter and
     * the flags available); otherwise logs why not and returns null.
     */
    public static HeapGovernor startIfEnabled(Settings settings) {
        if (settings.busyBytesPerSecond() == 0) {
            return null;
        }
        String why = unsupportedReason();
        if (why != null) {
            LOG.log(Level.INFO, "heap governor off: " + why);
            return null;
        }
        Ratios idle = jvmRatios();
        if (idle.equals(settings.busy())) {
            LOG.log(Level.INFO, "heap governor off: the JVM's free ratios are already " + idle);
            return null;
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("switchboard-heap-governor").factory());
        HeapGovernor governor = new HeapGovernor(settings, idle, jvmPeriodicMillis(),
                allocationCounter()::getTotalThreadAllocatedBytes, System::nanoTime, hotSpotFlags(), timer);
        timer.scheduleWithFixedDelay(governor::tickSafely, 1, 1, TimeUnit.SECONDS);
        LOG.log(Level.INFO, "heap governor on: free ratios " + settings.busy() + " from "
                + settings.busyBytesPerSecond() / (1024 * 1024) + " MiB/s of allocation, " + idle + " after "
                + settings.quietPeriod().toSeconds() + " s below it");
        return governor;
    }

    private static String unsupportedReason() {
        boolean g1 = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .anyMatch(gc -> gc.getName().startsWith("G1 "));
        if (!g1) {
            return "the JVM does not run G1";
        }
        ThreadMXBean threads = allocationCounter();
        if (threads == null || !threads.isThreadAllocatedMemorySupported()
                || !threads.isThreadAllocatedMemoryEnabled()) {
            return "the JVM does not count allocated bytes";
        }
        return null;
    }

    /** HotSpot's thread bean, whose counter of every thread's allocated bytes is the governor's measure; or null. */
    private static ThreadMXBean allocationCounter() {
        return ManagementFactory.getThreadMXBean() instanceof ThreadMXBean threads ? threads : null;
    }

    /** The JVM's free ratios now. */
    static Ratios jvmRatios() {
        return new Ratios((int) jvmFlag(MIN_FLAG), (int) jvmFlag(MAX_FLAG));
    }

    /** The JVM's {@code G1PeriodicGCInterval} now, in milliseconds (0: off). */
    static long jvmPeriodicMillis() {
        return jvmFlag(PERIODIC_FLAG);
    }

    private static long jvmFlag(String name) {
        return Long.parseLong(hotSpot().getVMOption(name).getValue());
    }

    /** Sets the JVM's flags; HotSpot refuses a min above the max (IllegalArgumentException). */
    static FlagWriter hotSpotFlags() {
        HotSpotDiagnosticMXBean hotspot = hotSpot();
        return (flag, value) -> hotspot.setVMOption(flag, Long.toString(value));
    }

    private static HotSpotDiagnosticMXBean hotSpot() {
        return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    }

    /** Whether the busy profile applies now. */
    public boolean busy() {
        return busyProfile;
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            // A refused flag (another agent changed the other one) must not end the schedule.
            LOG.log(Level.WARNING, "heap governor: " + e.getMessage(), e);
        }
    }

    /** Measures the allocation since the last tick and switches the profile when the rule says so. */
    void tick() {
        long bytes = allocatedBytes.getAsLong();
        long now = nanoTime.getAsLong();
        long elapsed = now - lastNanos;
        if (elapsed <= 0) {
            return;
        }
        double perSecond = (bytes - lastBytes) * 1e9 / elapsed;
        lastBytes = bytes;
        lastNanos = now;
        if (perSecond >= settings.busyBytesPerSecond()) {
            quietSinceNanos = now;
            if (!busyProfile) {
                // Max before min: min may never exceed max, whichever profile is left.
                flags.set(MAX_FLAG, settings.busy().maxFree());
                flags.set(MIN_FLAG, settings.busy().minFree());
                flags.set(PERIODIC_FLAG, 0);
                busyProfile = true;
                busySinceNanos = now;
                long mib = Math.round(perSecond / (1024 * 1024));
                LOG.log(Level.INFO, () -> "heap governor: busy (" + mib + " MiB/s allocated), free ratios "
                        + settings.busy() + ", periodic collections off");
            }
        } else if (busyProfile && now - quietSinceNanos >= settings.quietPeriod().toNanos()) {
            idleProfile();
            long busySeconds = (now - busySinceNanos) / 1_000_000_000L;
            LOG.log(Level.INFO, () -> "heap governor: idle after " + busySeconds + " s busy, free ratios " + idle
                    + ", periodic collections every " + idlePeriodicMillis + " ms");
        }
    }

    private void idleProfile() {
        // Min before max, for the same reason; the periodic collection last, so that it shrinks by these ratios.
        flags.set(MIN_FLAG, idle.minFree());
        flags.set(MAX_FLAG, idle.maxFree());
        flags.set(PERIODIC_FLAG, idlePeriodicMillis);
        busyProfile = false;
    }

    /** Stops governing and restores the flags the JVM was started with. */
    @Override
    public void close() {
        timer.shutdownNow();
        timer.close(); // waits for a tick that is running (a few flag writes), so none follows the restore
        if (busyProfile) {
            idleProfile();
        }
    }
}
