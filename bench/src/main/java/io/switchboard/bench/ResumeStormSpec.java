package io.switchboard.bench;

import java.time.Duration;

/**
 * The resume-storm workload: {@code clients} clients subscribed to one room, all cut off, {@code missed} messages
 * published while they are away, then all reconnecting at once with {@code resume_from}. Immutable.
 *
 * @param clients   resuming clients, spread round-robin over the gateways
 * @param missed    messages published while they are away (at most the history's default retention per room,
 *                  {@value #MAX_MISSED}; beyond one page, {@code gateway.resume.page-size}, a resume streams them)
 * @param gateways  gateways of the cluster
 * @param liveTimeout how long after the storm starts every client must be live; later ones count as failures
 */
public record ResumeStormSpec(int clients, int missed, int gateways, Duration liveTimeout) {
    /** The room every client resumes. */
    public static final String ROOM = "storm:room";
    /** Most missed messages: history.retention.max-messages' default keeps this many per room. */
    public static final int MAX_MISSED = 10_000;

    public ResumeStormSpec {
        if (clients < 1) {
            throw new IllegalArgumentException("clients: " + clients + " (expected: >= 1)");
        }
        // Older messages would be gone from history: POSITION_EXPIRED, not a resume to measure.
        if (missed < 1 || missed > MAX_MISSED) {
            throw new IllegalArgumentException("missed: " + missed + " (expected: 1-" + MAX_MISSED + ")");
        }
        if (gateways < 1) {
            throw new IllegalArgumentException("gateways: " + gateways + " (expected: >= 1)");
        }
        if (liveTimeout == null || liveTimeout.isNegative() || liveTimeout.isZero()) {
            throw new IllegalArgumentException("liveTimeout: " + liveTimeout + " (expected: > 0)");
        }
    }

    /** The gateway (0-based) client {@code i} connects to. */
    int gatewayOf(int client) {
        return client % gateways;
    }
}
