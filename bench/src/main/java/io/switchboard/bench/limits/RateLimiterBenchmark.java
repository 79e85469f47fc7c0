package io.switchboard.bench.limits;

import java.util.concurrent.TimeUnit;

import io.github.bucket4j.TimeMeter;
import io.switchboard.gateway.limits.FrameRateLimiter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of {@link FrameRateLimiter#admit} per frame, on the system clock as in the gateway: a frame within the
 * limits (two bucket takes) and a frame over them (one take refused, one refusal counted), beside an empty
 * baseline that returns the frame size (what the reader thread does without a limiter). One connection's limiter is
 * used by its reader thread only, so one benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RateLimiterBenchmark {
    @Param("200")
    public int frameBytes;

    private FrameRateLimiter within;
    private FrameRateLimiter over;

    @Setup
    public void setUp() {
        // Limits far above what one thread can send: every frame is accepted.
        within = new FrameRateLimiter.Settings(FrameRateLimiter.MAX_RATE, 1_000_000_000_000L, FrameRateLimiter.MAX_RATE,
                1_000_000_000_000L, 100, TimeMeter.SYSTEM_NANOTIME).newConnection();
        // One frame per second and a tolerance no run exhausts: after the first, every frame is refused, none closes.
        over = new FrameRateLimiter.Settings(1, 1, 1_000_000_000L, 1_000_000_000L, 1_000_000_000L,
                TimeMeter.SYSTEM_NANOTIME).newConnection();
    }

    @Benchmark
    public int baseline() {
        return frameBytes;
    }

    @Benchmark
    public FrameRateLimiter.Verdict withinLimits() {
        return within.admit(frameBytes);
    }

    @Benchmark
    public FrameRateLimiter.Verdict overLimits() {
        return over.admit(frameBytes);
    }
}
