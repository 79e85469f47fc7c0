package io.switchboard.loadgen;

import java.util.function.Supplier;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * Counts the server's data frames as they came off the wire, before any extension decoder: with permessage-deflate
 * the frames' compressed payloads, so "bytes on the wire" are what the network carried. Sits right after the
 * WebSocket frame decoder in a client's pipeline; one per connection, on its event loop.
 */
final class WireMeter extends ChannelInboundHandlerAdapter {
    private final Supplier<StepRecorder> recorder;

    WireMeter(Supplier<StepRecorder> recorder) {
        this.recorder = recorder;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
            StepRecorder current = recorder.get();
            if (current != null) {
                int payload = ((io.netty.buffer.ByteBufHolder) msg).content().readableBytes();
                current.received(System.nanoTime(), LoadConnection.wireBytes(payload));
            }
        }
        super.channelRead(ctx, msg);
    }
}
