package io.switchboard.gateway.ws;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.IntConsumer;

/**
 * The sink of a connection that negotiated a {@code +batch} subprotocol: of the frames one write of its
 * {@link OutboundQueue} takes, each run of consecutive data frames goes out as one {@code ServerFrame.batch} message
 * (docs/protocol.md section 13), built from the frames' encoded payloads with one copy, never by encoding again:
 *
 * <ul>
 *   <li>binary: the payload of a {@code ServerFrame} whose field 14 ({@code Batch}) repeats field 1 once per frame,
 *       each the frame's serialized bytes;</li>
 *   <li>JSON: {@code {"batch":{"frames":[F1,F2,...]}}}, the frames' JSON text joined with commas, which is what
 *       protobuf's JSON printer prints for that message.</li>
 * </ul>
 *
 * A single frame, a pong (a control frame cannot be inside a message) and a frame larger than the byte limit go as
 * they are; a batch holds at most {@link BatchLimits#maxFrames()} frames and {@link BatchLimits#maxBytes()} bytes.
 * Connections that did not ask for batches never see this class, so their writes cost nothing more.
 *
 * <p>Not thread-safe: called by the connection's one writer at a time, as every {@link FrameSink}; {@link #abort()}
 * from any thread.
 */
final class BatchingFrameSink implements FrameSink {
    private static final byte[] JSON_OPEN = "{\"batch\":{\"frames\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] JSON_CLOSE = "]}}".getBytes(StandardCharsets.UTF_8);
    private static final byte JSON_SEPARATOR = ',';
    // ServerFrame field 14 (batch) and Batch field 1 (frames), both length-delimited (wire type 2).
    private static final byte PROTO_BATCH_TAG = (byte) (14 << 3 | 2);
    private static final byte PROTO_FRAME_TAG = (byte) (1 << 3 | 2);
    private static final String TYPE = "batch";

    private final FrameSink delegate;
    private final Subprotocol encoding;
    private final BatchLimits limits;
    private final IntConsumer batchSent;
    // What one write sends: reused by the one writer; the delegate does not keep it.
    private final List<OutboundFrame> out = new ArrayList<>(8);

    /**
     * @param batchSent told the frame count of every batch sent (metrics)
     */
    BatchingFrameSink(FrameSink delegate, Subprotocol encoding, BatchLimits limits, IntConsumer batchSent) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.encoding = Objects.requireNonNull(encoding, "encoding");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.batchSent = Objects.requireNonNull(batchSent, "batchSent");
    }

    @Override
    public void send(OutboundFrame frame) {
        delegate.send(frame);
    }

    @Override
    public Executor writerExecutor() {
        return delegate.writerExecutor();
    }

    @Override
    public boolean writable() {
        return delegate.writable();
    }

    @Override
    public void whenWritable(Runnable resume) {
        delegate.whenWritable(resume);
    }

    @Override
    public void send(List<OutboundFrame> frames) {
        if (frames.size() < 2) {
            delegate.send(frames);
            return;
        }
        out.clear();
        int n = frames.size();
        int from = 0;
        while (from < n) {
            int to = runEnd(frames, from);
            if (to - from < 2) {
                out.add(frames.get(from));
            } else {
                out.add(pack(frames, from, to));
                batchSent.accept(to - from);
            }
            from = to;
        }
        try {
            delegate.send(out);
        } finally {
            out.clear();
        }
    }

    /** The end (exclusive) of the run of frames from {@code from} that fit one batch; at least {@code from + 1}. */
    private int runEnd(List<OutboundFrame> frames, int from) {
        OutboundFrame first = frames.get(from);
        if (first.kind() == OutboundFrame.Kind.PONG) {
            return from + 1;
        }
        int bytes = elementBytes(first); // the batch body so far
        int to = from + 1;
        while (to < frames.size() && to - from < limits.maxFrames()) {
            OutboundFrame next = frames.get(to);
            if (next.kind() != first.kind()) {
                break;
            }
            int more = bytes + elementBytes(next);
            if (envelopeBytes(more) + more > limits.maxBytes()) {
                break;
            }
            bytes = more;
            to++;
        }
        return to;
    }

    private OutboundFrame pack(List<OutboundFrame> frames, int from, int to) {
        int body = 0;
        for (int i = from; i < to; i++) {
            body += elementBytes(frames.get(i));
        }
        int bodyBytes = body;
        int length = envelopeBytes(bodyBytes) + bodyBytes;
        return OutboundFrame.assemble(frames.get(from).kind(), length, TYPE, (wire, offset) -> {
            int at = offset;
            if (encoding == Subprotocol.PROTO) {
                wire[at++] = PROTO_BATCH_TAG;
                at = writeVarint(wire, at, bodyBytes);
                for (int i = from; i < to; i++) {
                    OutboundFrame f = frames.get(i);
                    wire[at++] = PROTO_FRAME_TAG;
                    at = writeVarint(wire, at, f.size());
                    at = f.copyPayloadTo(wire, at);
                }
            } else {
                System.arraycopy(JSON_OPEN, 0, wire, at, JSON_OPEN.length);
                at += JSON_OPEN.length;
                for (int i = from; i < to; i++) {
                    if (i > from) {
                        wire[at++] = JSON_SEPARATOR;
                    }
                    at = frames.get(i).copyPayloadTo(wire, at);
                }
                System.arraycopy(JSON_CLOSE, 0, wire, at, JSON_CLOSE.length);
            }
        });
    }

    /** Bytes one frame takes inside the batch body (for JSON: with the comma before it, one more than needed). */
    private int elementBytes(OutboundFrame f) {
        return encoding == Subprotocol.PROTO ? 1 + varintSize(f.size()) + f.size() : f.size() + 1;
    }

    /** Bytes around a body of {@code bodyBytes} (JSON: minus the first element's comma, which is not written). */
    private int envelopeBytes(int bodyBytes) {
        return encoding == Subprotocol.PROTO ? 1 + varintSize(bodyBytes) : JSON_OPEN.length + JSON_CLOSE.length - 1;
    }

    /** Bytes of {@code value} (not negative) as a protobuf varint. */
    private static int varintSize(int value) {
        return (38 - Integer.numberOfLeadingZeros(value | 1)) / 7;
    }

    private static int writeVarint(byte[] target, int at, int value) {
        int v = value;
        while ((v & ~0x7F) != 0) {
            target[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        target[at++] = (byte) v;
        return at;
    }

    @Override
    public void close(int code, String reason) {
        delegate.close(code, reason);
    }

    @Override
    public void abort() {
        delegate.abort();
    }
}
