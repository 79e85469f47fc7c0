package io.switchboard.bench.netty;

import com.google.protobuf.CodedOutputStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.bench.baseline.BaselineFrames;
import io.switchboard.proto.client.v1.ServerFrame;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A server frame's bytes in one subprotocol, written straight into a pooled buffer, and its WebSocket frame. Stateless. */
final class NettyFrames {
    private NettyFrames() {
    }

    /** A WebSocket frame of {@code content}: text in the JSON subprotocol ({@code json}), binary otherwise. */
    static WebSocketFrame frame(ByteBuf content, boolean json) {
        return json ? new TextWebSocketFrame(content) : new BinaryWebSocketFrame(content);
    }

    /** {@code frame} in the JSON ({@code json}) or the binary subprotocol; the caller owns the buffer. */
    static ByteBuf encode(ByteBufAllocator alloc, ServerFrame frame, boolean json) {
        return json ? text(alloc, BaselineFrames.json(frame)) : binary(alloc, frame);
    }

    // Sized exactly: ByteBufUtil.writeUtf8(alloc, s) reserves three bytes a character, held until the last write.
    private static ByteBuf text(ByteBufAllocator alloc, String json) {
        ByteBuf buf = alloc.ioBuffer(ByteBufUtil.utf8Bytes(json));
        ByteBufUtil.writeUtf8(buf, json);
        return buf;
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
