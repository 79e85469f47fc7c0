package io.switchboard.gateway.limits;

import java.util.Optional;

/**
 * The edge limits of one connection, as its session applies them: the Connect frame's size, and the frame and byte
 * rates of every frame after it ({@link FrameRateLimiter}); each refusal is counted. Made by
 * {@link EdgeLimits#forConnection()} per connection. Not thread-safe: used on the connection's reader thread only.
 */
public final class ConnectionLimits {
    private static final FrameRateLimiter.Settings UNLIMITED = new FrameRateLimiter.Settings(
            FrameRateLimiter.MAX_RATE, 1_000_000_000_000L, FrameRateLimiter.MAX_RATE, 1_000_000_000_000L, 1,
            io.github.bucket4j.TimeMeter.SYSTEM_NANOTIME);

    private final int maxConnectFrameBytes;
    private final FrameRateLimiter rates;
    private final FrameRateLimiter.Settings settings;
    private final LimitMetrics metrics;
    private final ClusterUserCap clusterCap;

    ConnectionLimits(int maxConnectFrameBytes, FrameRateLimiter.Settings settings, LimitMetrics metrics,
                     ClusterUserCap clusterCap) {
        this.maxConnectFrameBytes = maxConnectFrameBytes;
        this.clusterCap = clusterCap;
        this.settings = settings;
        this.rates = settings.newConnection();
        this.metrics = metrics;
    }

    /** No limits (session tests that are about something else). */
    public static ConnectionLimits none() {
        return new ConnectionLimits(Integer.MAX_VALUE, UNLIMITED, LimitMetrics.unregistered(), null);
    }

    /** Only the frame and byte rates of {@code settings}, counted nowhere (session tests of the rate refusals). */
    public static ConnectionLimits ratesOnly(FrameRateLimiter.Settings settings) {
        return new ConnectionLimits(Integer.MAX_VALUE, settings, LimitMetrics.unregistered(), null);
    }

    /** Why a Connect frame of {@code bytes} is refused (close 1009), or empty when it is not. */
    public Optional<String> refuseConnect(int bytes) {
        if (bytes <= maxConnectFrameBytes) {
            return Optional.empty();
        }
        metrics.refused(LimitMetrics.Limit.CONNECT_FRAME);
        return Optional.of("Connect frame: " + bytes + " bytes (expected: <= " + maxConnectFrameBytes + ")");
    }

    /** What to do with a frame of {@code bytes} after Connect; refusals and closes are counted. */
    public FrameRateLimiter.Verdict admit(int bytes) {
        FrameRateLimiter.Verdict v = rates.admit(bytes);
        switch (v) {
            case ACCEPT -> { }
            case REFUSE_MESSAGES -> metrics.refused(LimitMetrics.Limit.MESSAGE_RATE);
            case REFUSE_BYTES -> metrics.refused(LimitMetrics.Limit.BYTE_RATE);
            case CLOSE -> metrics.refused(LimitMetrics.Limit.RATE_CLOSE);
        }
        return v;
    }

    /** The message of a refusal: which rate, and what to do. */
    public String refusal(FrameRateLimiter.Verdict verdict) {
        return switch (verdict) {
            case REFUSE_BYTES -> "bytes per second over " + settings.bytesPerSecond() + " (burst " + settings.byteBurst()
                    + "); slow down and retry";
            case CLOSE -> "rate limited more than " + settings.refusalsBeforeClose() + " times in "
                    + FrameRateLimiter.REFUSALS_WINDOW.toSeconds() + " s";
            default -> "frames per second over " + settings.messagesPerSecond() + " (burst " + settings.messageBurst()
                    + "); slow down and retry";
        };
    }

    /**
     * After Connect: checks the user's connections across the cluster (when that cap is on) and runs
     * {@code closeOverCap} with the close reason when they are over it. Any thread; returns at once.
     */
    public void afterConnect(String userId, String sessionId, java.util.function.Consumer<String> closeOverCap) {
        if (clusterCap != null) {
            clusterCap.check(userId, sessionId, () -> closeOverCap.accept("connections of this user in the cluster: "
                    + (clusterCap.max() + 1) + " (expected: <= " + clusterCap.max() + ")"));
        }
    }

    /** Counts a Connect refused by the per-user connection cap. */
    public void userCapReached() {
        metrics.refused(LimitMetrics.Limit.USER_CONNECTIONS);
    }
}
