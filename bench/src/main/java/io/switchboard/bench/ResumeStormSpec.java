package io.switchboard.bench;

import java.time.Duration;

/**
 * The resume-storm workload: {@code clients} clients subscribed to one room, all cut off, {@code missed} messages
 * published while they are away, then all reconnecting at once with {@code resume_from}. Immutable.
 *
 * @param clients   resuming clients, spread round-robin over the gateways
 * @param missed    messages published while they are away (at most the gateway's resume.max-messages, 1000)
 * @param gateways  gateways of the cluster
 * @param liveTimeout how long after the storm starts every client must be live; later ones count as failures
 */
public record ResumeStormSpec(int clients, int missed, int gateways, Duration liveTimeout) {
    /** The room every client resumes. */
    public static final String ROOM = "storm:room";

    public ResumeStormSpec {
        if (clients < 1) {
            throw new IllegalArgumentException("clients: " + clients + " (expected: >= 1)");
        }
        // The gateway replays at most gateway.resume.max-messages (default 1000) per subscribe.
        if (missed < 1 || missed > 1000) {
            throw new IllegalArgumentException("missed: " + missed + " (expected: 1-1000)");
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
