package io.switchboard.bench.netty;

import com.google.protobuf.CodedOutputStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.switchboard.bench.baseline.BaselineFrames;
import io.switchboard.proto.client.v1.ServerFrame;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A server frame's bytes in one subprotocol, written straight into a pooled buffer. Stateless. */
final class NettyFrames {
    private NettyFrames() {
    }

    /** {@code frame} in the JSON ({@code json}) or the binary subprotocol; the caller owns the buffer. */
    static ByteBuf encode(ByteBufAllocator alloc, ServerFrame frame, boolean json) {
        return json ? ByteBufUtil.writeUtf8(alloc, BaselineFrames.json(frame)) : binary(alloc, frame);
    }

    private static ByteBuf binary(ByteBufAllocator alloc, ServerFrame frame) {
        int size = frame.getSerializedSize();
        ByteBuf buf = alloc.ioBuffer(size, size);
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(buf.nioBuffer(buf.writerIndex(), size));
            frame.writeTo(out);
            out.checkNoSpaceLeft();
            buf.writerIndex(buf.writerIndex() + size);
            return buf;
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException("cannot encode " + frame.getFrameCase(), e);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }
}
