package io.switchboard.gateway.sse;

import java.time.Duration;
import java.util.Objects;

import io.switchboard.service.config.Values;

/**
 * The HTTP fallback's settings, validated by the key catalogue ({@link SseKeys}).
 *
 * @param path          the event stream's path; frames are posted to {@code path/<stream id>}
 * @param heartbeat     how often a stream gets a heartbeat through its write path
 * @param maxPostBytes  largest POST body
 * @param maxFrameBytes largest client frame in it (the WebSocket's frame limit)
 */
public record SseSettings(String path, Duration heartbeat, int maxPostBytes, int maxFrameBytes) {
    public SseSettings {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(heartbeat, "heartbeat");
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("heartbeat: " + heartbeat + " (expected: > 0)");
        }
        if (maxFrameBytes < 1 || maxPostBytes < maxFrameBytes) {
            throw new IllegalArgumentException("maxPostBytes, maxFrameBytes: " + maxPostBytes + ", " + maxFrameBytes
                    + " (expected: maxPostBytes >= maxFrameBytes > 0)");
        }
    }

    /** The settings of {@code values}, with {@code maxFrameBytes} from the WebSocket's limit. */
    public static SseSettings from(Values values, int maxFrameBytes) {
        return new SseSettings(values.get(SseKeys.PATH), values.get(SseKeys.HEARTBEAT_INTERVAL),
                values.get(SseKeys.MAX_POST_BYTES), maxFrameBytes);
    }
}
