package io.switchboard.gateway.ws;

/**
 * How large one {@code Batch} may grow ({@code gateway.protocol.batch-max-frames} and {@code -max-bytes}). A batch
 * never holds more than one write of the connection's writer takes either (64 frames, 64 KiB). Immutable.
 *
 * @param maxFrames most frames in one batch, 2 to 64
 * @param maxBytes  largest batch payload in bytes (a single larger frame still goes alone), 1 KiB to 64 KiB
 */
public record BatchLimits(int maxFrames, int maxBytes) {
    /** The defaults: as much as one write of the writer takes. */
    public static final BatchLimits DEFAULT = new BatchLimits(OutboundQueue.MAX_BATCH_FRAMES,
            OutboundQueue.MAX_BATCH_BYTES);

    public BatchLimits {
        if (maxFrames < 2 || maxFrames > OutboundQueue.MAX_BATCH_FRAMES) {
            throw new IllegalArgumentException("maxFrames: " + maxFrames + " (expected: 2-"
                    + OutboundQueue.MAX_BATCH_FRAMES + ")");
        }
        if (maxBytes < 1024 || maxBytes > OutboundQueue.MAX_BATCH_BYTES) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: 1024-"
                    + OutboundQueue.MAX_BATCH_BYTES + ")");
        }
    }
}
