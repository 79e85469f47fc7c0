package io.switchboard.bench.netty;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.bench.baseline.BaselineFrames;

/**
 * Answers a handshake that offers neither subprotocol with 400 before any WebSocket state exists (Netty's
 * handshaker would accept it without a subprotocol, as the Helidon baseline does not), then steps out of the
 * pipeline. Stateless: one instance serves every channel.
 */
@ChannelHandler.Sharable
final class SubprotocolGate extends ChannelInboundHandlerAdapter {
    static final SubprotocolGate INSTANCE = new SubprotocolGate();

    private SubprotocolGate() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request
                && BaselineFrames.chooseSubprotocol(request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) == null) {
            ReferenceCountUtil.release(request);
            ctx.writeAndFlush(new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.BAD_REQUEST))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(msg);
    }
}
