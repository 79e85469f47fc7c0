package io.switchboard.gateway.limits;

import java.time.Duration;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;

/**
 * The frame rate limits of one connection: a token bucket of frames ({@code gateway.limits.messages-per-second},
 * {@code message-burst}) and one of bytes ({@code bytes-per-second}, {@code byte-burst}), both refilled
 * continuously (Bucket4j, greedy refill). A frame that finds either bucket short is refused and counted in a third
 * bucket of refusals ({@code rate-limited-before-close}, drained over {@link #REFUSALS_WINDOW}); once that one is
 * empty too, the connection is to be closed: a client that backs off when refused is never closed, one that keeps
 * sending is, after a bounded number of refused frames.
 *
 * <p>Not thread-safe: {@link #admit} runs on the connection's reader thread only (the buckets take no lock).
 */
public final class FrameRateLimiter {
    /** The time over which {@code rate-limited-before-close} refusals are forgiven. */
    public static final Duration REFUSALS_WINDOW = Duration.ofSeconds(10);
    /** The highest rate a bucket refills at (Bucket4j's finest: one token per nanosecond). */
    public static final long MAX_RATE = 1_000_000_000L;

    /** What happens to one frame. */
    public enum Verdict {
        /** Within the limits: process it. */
        ACCEPT,
        /** Over the frame rate: answer RATE_LIMITED, do not process it. */
        REFUSE_MESSAGES,
        /** Over the byte rate: answer RATE_LIMITED, do not process it. */
        REFUSE_BYTES,
        /** Refused too often: close the connection RATE_LIMIT_EXCEEDED. */
        CLOSE
    }

    /**
     * The limits, shared by every connection of a gateway.
     *
     * @param messagesPerSecond     frames per second, sustained
     * @param messageBurst          frames at once
     * @param bytesPerSecond        bytes per second, sustained
     * @param byteBurst             bytes at once (a larger frame counts as this many)
     * @param refusalsBeforeClose   refused frames tolerated per {@link #REFUSALS_WINDOW}
     * @param time                  the clock the buckets refill by
     */
    public record Settings(long messagesPerSecond, long messageBurst, long bytesPerSecond, long byteBurst,
                           long refusalsBeforeClose, TimeMeter time) {
        public Settings {
            check("messagesPerSecond", messagesPerSecond);
            check("messageBurst", messageBurst);
            check("bytesPerSecond", bytesPerSecond);
            if (messagesPerSecond > MAX_RATE || bytesPerSecond > MAX_RATE
                    || refusalsBeforeClose > MAX_RATE * REFUSALS_WINDOW.toSeconds()) {
                throw new IllegalArgumentException("rates: " + messagesPerSecond + " frames/s, " + bytesPerSecond
                        + " bytes/s, " + refusalsBeforeClose + " refusals per " + REFUSALS_WINDOW.toSeconds()
                        + " s (expected: <= " + MAX_RATE + " per second)");
            }
            check("byteBurst", byteBurst);
            check("refusalsBeforeClose", refusalsBeforeClose);
        }

        private static void check(String name, long value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
            }
        }

        /** A fresh limiter for one new connection, its buckets full. */
        public FrameRateLimiter newConnection() {
            return new FrameRateLimiter(this);
        }
    }

    private final Settings settings;
    private final Bucket messages;
    private final Bucket bytes;
    // Made at the first refusal, full, as it would be had it been made with the others: a bucket nobody takes from
    // stays full. Most connections are never refused, and a bucket is a few hundred bytes per connection.
    private Bucket refusals;
    private final long byteBurst;

    private FrameRateLimiter(Settings s) {
        this.settings = s;
        this.messages = bucket(s.messageBurst(), s.messagesPerSecond(), Duration.ofSeconds(1), s.time());
        this.bytes = bucket(s.byteBurst(), s.bytesPerSecond(), Duration.ofSeconds(1), s.time());
        this.byteBurst = s.byteBurst();
    }

    private static Bucket bucket(long capacity, long refill, Duration period, TimeMeter time) {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(refill, period))
                .withCustomTimePrecision(time)
                .withSynchronizationStrategy(SynchronizationStrategy.NONE)
                .build();
    }

    /** Takes one frame of {@code frameBytes} out of the buckets, or says why not. Reader thread only. */
    public Verdict admit(int frameBytes) {
        if (!messages.tryConsume(1)) {
            return refused(Verdict.REFUSE_MESSAGES);
        }
        if (!bytes.tryConsume(Math.min(Math.max(frameBytes, 1), byteBurst))) {
            messages.addTokens(1); // the frame was not taken: give its message token back
            return refused(Verdict.REFUSE_BYTES);
        }
        return Verdict.ACCEPT;
    }

    private Verdict refused(Verdict why) {
        if (refusals == null) {
            refusals = bucket(settings.refusalsBeforeClose(), settings.refusalsBeforeClose(), REFUSALS_WINDOW,
                    settings.time());
        }
        return refusals.tryConsume(1) ? why : Verdict.CLOSE;
    }
}
