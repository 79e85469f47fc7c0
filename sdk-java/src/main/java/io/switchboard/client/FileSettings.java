package io.switchboard.client;

import java.time.Duration;
import java.util.Objects;

/**
 * The validated file-transfer settings of one client (built by {@link SwitchboardClient.Builder}).
 *
 * @param maxFileBytes    the largest file sent or accepted (default 50 MiB)
 * @param chunkBytes      bytes per chunk, at most the connection's {@code maxPayloadBytes} (default 48 KiB)
 * @param window          chunks of one transfer awaiting their ack at once (default 16)
 * @param bytesPerSecond  chunk bytes one client sends per second, all transfers together, at most (default 4 MiB/s: half the gateway's
 *                        default {@code gateway.limits.bytes-per-second}, so a transfer never meets RATE_LIMITED)
 * @param stallTimeout    a received file with no new chunk for this long is reported incomplete (default PT2M)
 * @param maxFilesInProgress files being received at once per room, at most (default 4; memory is bounded by this
 *                        times {@code maxFileBytes})
 */
record FileSettings(long maxFileBytes, int chunkBytes, int window, long bytesPerSecond, Duration stallTimeout,
                    int maxFilesInProgress) {
    static final FileSettings DEFAULTS = new FileSettings(50L * 1024 * 1024, 48 * 1024, 16, 4L * 1024 * 1024,
            Duration.ofMinutes(2), 4);

    FileSettings {
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("maxFileBytes: " + maxFileBytes + " (expected: >= 1)");
        }
        if (chunkBytes < 1024) {
            throw new IllegalArgumentException("fileChunkBytes: " + chunkBytes + " (expected: >= 1024)");
        }
        if (window < 1) {
            throw new IllegalArgumentException("fileWindow: " + window + " (expected: >= 1)");
        }
        if (bytesPerSecond < chunkBytes) {
            throw new IllegalArgumentException("fileBytesPerSecond: " + bytesPerSecond + " (expected: >= fileChunkBytes " + chunkBytes + ")");
        }
        Objects.requireNonNull(stallTimeout, "fileStallTimeout");
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("fileStallTimeout: " + stallTimeout + " (expected: > 0)");
        }
        if (maxFilesInProgress < 1) {
            throw new IllegalArgumentException("maxFilesInProgress: " + maxFilesInProgress + " (expected: >= 1)");
        }
    }
}
