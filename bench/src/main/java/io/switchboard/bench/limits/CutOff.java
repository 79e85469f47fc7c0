package io.switchboard.bench.limits;

import java.time.Duration;

import io.github.bucket4j.TimeMeter;
import io.switchboard.gateway.limits.FrameRateLimiter;

/**
 * How quickly the gateway's frame rate limiter cuts off a client that sends at a constant rate above the limit, on
 * a simulated clock (the limiter's own code, time advanced by 1/rate per frame): frames accepted before the first
 * RATE_LIMITED, frames sent before the close 3004, and the time that took. Stateless, hence thread-safe.
 */
final class CutOff {
    /** One client's figures. */
    record Figures(long sendRate, long acceptedBeforeRefusal, long sentBeforeClose, long acceptedBeforeClose,
                   Duration timeToClose) {
    }

    private CutOff() {
    }

    /**
     * Sends at {@code sendRate} frames/s of {@code frameBytes} against {@code limits} (whose clock is ignored),
     * for at most {@code maxFrames}.
     */
    static Figures measure(FrameRateLimiter.Settings limits, long sendRate, int frameBytes, long maxFrames) {
        long[] now = {0};
        TimeMeter time = new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return now[0];
            }

            @Override
            public boolean isWallClockBased() {
                return false;
            }
        };
        FrameRateLimiter limiter = new FrameRateLimiter.Settings(limits.messagesPerSecond(), limits.messageBurst(),
                limits.bytesPerSecond(), limits.byteBurst(), limits.refusalsBeforeClose(), time).newConnection();
        long interval = 1_000_000_000L / sendRate;
        long accepted = 0;
        long acceptedBeforeRefusal = -1;
        for (long sent = 1; sent <= maxFrames; sent++) {
            FrameRateLimiter.Verdict v = limiter.admit(frameBytes);
            if (v == FrameRateLimiter.Verdict.ACCEPT) {
                accepted++;
            } else if (acceptedBeforeRefusal < 0) {
                acceptedBeforeRefusal = accepted;
            }
            if (v == FrameRateLimiter.Verdict.CLOSE) {
                return new Figures(sendRate, acceptedBeforeRefusal, sent, accepted, Duration.ofNanos(now[0]));
            }
            now[0] += interval;
        }
        return new Figures(sendRate, acceptedBeforeRefusal, -1, accepted, Duration.ZERO);
    }
}
