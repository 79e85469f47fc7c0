package io.switchboard.gateway.limits;

import static io.switchboard.gateway.limits.FrameRateLimiter.Verdict.ACCEPT;
import static io.switchboard.gateway.limits.FrameRateLimiter.Verdict.CLOSE;
import static io.switchboard.gateway.limits.FrameRateLimiter.Verdict.REFUSE_BYTES;
import static io.switchboard.gateway.limits.FrameRateLimiter.Verdict.REFUSE_MESSAGES;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;

class FrameRateLimiterTest {
    /** Time moved by the test only. */
    private static final class ManualTime implements TimeMeter {
        long nanos;

        @Override
        public long currentTimeNanos() {
            return nanos;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }

        void advance(Duration d) {
            nanos += d.toNanos();
        }
    }

    private final ManualTime time = new ManualTime();

    /** A connection's limiter on {@link #time}: frames per second and burst, bytes per second and burst, refusals. */
    private FrameRateLimiter limiter(long frames, long frameBurst, long bytes, long byteBurst, long refusals) {
        return new FrameRateLimiter.Settings(frames, frameBurst, bytes, byteBurst, refusals, time).newConnection();
    }

    /** One frame a second, five refusals tolerated: admits its one frame, then refuses the next five. */
    private FrameRateLimiter oneFrameThenFiveRefused() {
        FrameRateLimiter limiter = limiter(1, 1, 1_000_000, 1_000_000, 5);
        assertThat(limiter.admit(1)).isEqualTo(ACCEPT);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.admit(1)).isEqualTo(REFUSE_MESSAGES);
        }
        return limiter;
    }

    @Test
    void aBurstIsAllowedThenFramesAreRefusedUntilTheBucketRefills() {
        FrameRateLimiter limiter = limiter(10, 20, 1_000_000, 1_000_000, 100);
        for (int i = 0; i < 20; i++) {
            assertThat(limiter.admit(10)).as("frame %d of the burst", i).isEqualTo(ACCEPT);
        }
        assertThat(limiter.admit(10)).isEqualTo(REFUSE_MESSAGES);
        time.advance(Duration.ofMillis(100)); // one frame's worth at 10/s
        assertThat(limiter.admit(10)).isEqualTo(ACCEPT);
        assertThat(limiter.admit(10)).isEqualTo(REFUSE_MESSAGES);
    }

    @Test
    void bytesAreLimitedApartFromFramesAndARefusedFrameCostsNoFrameToken() {
        FrameRateLimiter limiter = limiter(1000, 3, 1000, 1500, 100);
        assertThat(limiter.admit(1000)).isEqualTo(ACCEPT);
        assertThat(limiter.admit(1000)).isEqualTo(REFUSE_BYTES); // 500 bytes left
        assertThat(limiter.admit(400)).isEqualTo(ACCEPT);
        assertThat(limiter.admit(50)).as("the refused frame gave its frame token back").isEqualTo(ACCEPT);
        assertThat(limiter.admit(1)).isEqualTo(REFUSE_MESSAGES);
    }

    @Test
    void aFrameLargerThanTheByteBurstCountsAsTheBurst() {
        FrameRateLimiter limiter = limiter(1000, 1000, 10, 1024, 100);
        assertThat(limiter.admit(100_000)).isEqualTo(ACCEPT);
        assertThat(limiter.admit(1)).isEqualTo(REFUSE_BYTES);
    }

    @Test
    void sustainedRefusalsCloseButAClientThatBacksOffIsNeverClosed() {
        FrameRateLimiter limiter = oneFrameThenFiveRefused();
        // Backing off: the refusals drain (5 per 10 s) while the client waits.
        time.advance(Duration.ofSeconds(10));
        for (int round = 0; round < 10; round++) {
            assertThat(limiter.admit(1)).isEqualTo(ACCEPT);
            assertThat(limiter.admit(1)).isEqualTo(REFUSE_MESSAGES);
            time.advance(Duration.ofSeconds(2));
        }
        // Keeps sending: closed after the tolerated refusals.
        FrameRateLimiter abusive = oneFrameThenFiveRefused();
        assertThat(abusive.admit(1)).isEqualTo(CLOSE);
    }

    @Test
    void ratesAboveOneTokenPerNanosecondAreRejectedAtOnce() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FrameRateLimiter.Settings(
                        FrameRateLimiter.MAX_RATE + 1, 1, 1, 1024, 1, time))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: <= 1000000000");
        assertThat(ConnectionLimits.none().admit(1_000_000)).isEqualTo(ACCEPT);
    }
}
