package io.switchboard.gateway.ws.deflate;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.zip.Deflater;

/**
 * Compresses one outgoing message as permessage-deflate's payload (RFC 7692 section 7.2.1): raw DEFLATE, flushed
 * with a sync flush, without the flush's final {@code 00 00 FF FF}. Every message is compressed on its own (no
 * context taken over from the ones before it, whether or not the client asked for {@code server_no_context_takeover}),
 * so it compresses to the same bytes for every connection: it is compressed once and shared, like its encoding
 * ({@code OutboundFrame}), and a delivery costs no compression.
 *
 * <p>Deflaters hold about 256 KiB of native memory each, so they are pooled (a few, for the threads that encode
 * messages at the same time) rather than made per message or kept per connection. Thread-safe.
 */
public final class MessageDeflater {
    private static final int POOLED = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final int TAIL = 4;

    private final int thresholdBytes;
    private final BlockingQueue<Deflater> pool = new ArrayBlockingQueue<>(POOLED);

    /** @param thresholdBytes smallest payload compressed; smaller ones are sent as they are */
    public MessageDeflater(int thresholdBytes) {
        if (thresholdBytes < 0) {
            throw new IllegalArgumentException("thresholdBytes: " + thresholdBytes + " (expected: >= 0)");
        }
        this.thresholdBytes = thresholdBytes;
    }

    /** Smallest payload compressed, in bytes. */
    public int thresholdBytes() {
        return thresholdBytes;
    }

    /**
     * The compressed form of {@code length} payload bytes of {@code source} from {@code offset}; null when the payload
     * is below the threshold or would not shrink (the message then goes uncompressed, RSV1 clear).
     */
    public byte[] compress(byte[] source, int offset, int length) {
        if (length < thresholdBytes) {
            return null;
        }
        Deflater deflater = pool.poll();
        if (deflater == null) {
            deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }
        try {
            deflater.setInput(source, offset, length);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length / 2));
            byte[] chunk = new byte[Math.min(Math.max(64, length + 16), 16 * 1024)];
            int n;
            // A sync flush is complete once deflate() leaves room in the output: all input consumed and flushed.
            do {
                n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
                out.write(chunk, 0, n);
            } while (n == chunk.length);
            int compressed = out.size() - TAIL;
            if (compressed >= length) {
                return null;
            }
            byte[] all = out.toByteArray();
            return java.util.Arrays.copyOf(all, compressed);
        } finally {
            deflater.reset();
            if (!pool.offer(deflater)) {
                deflater.end();
            }
        }
    }
}
