package io.switchboard.bench.netty;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.switchboard.bench.baseline.BaselineFrames;
import io.switchboard.bench.baseline.BaselinePeer;
import io.switchboard.bench.baseline.BaselineRooms;
import io.switchboard.bench.baseline.BaselineSession;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ServerFrame;
import java.util.Collection;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Netty baseline WebSocket connection, the last handler of its pipeline: whole frames (reassembled before it)
 * are parsed here and handled by its {@link BaselineSession}. Every write is a write-and-flush: the pipeline's
 * {@code FlushConsolidationHandler} turns them into one flush per read batch or per event-loop batch.
 * Every method runs on the channel's event loop; {@link #json()} and {@link #eventLoop()} are also read by
 * publishers on other loops.
 */
final class NettyBaselineConnection extends SimpleChannelInboundHandler<WebSocketFrame>
        implements BaselinePeer<NettyBaselineConnection> {
    private static final Logger LOG = Logger.getLogger(NettyBaselineConnection.class.getName());
    /** A subscriber this far behind is closed, as the gateway closes a slow consumer (protocol.md). */
    static final int SLOW_CONSUMER = 3001;

    private final BaselineSession<NettyBaselineConnection> protocol;
    private final Channel channel;
    // Set once by the handshake, before this connection can join a room.
    private volatile boolean json;

    NettyBaselineConnection(BaselineRooms<NettyBaselineConnection> rooms, Channel channel) {
        this.protocol = new BaselineSession<>(rooms, this);
        this.channel = channel;
    }

    boolean json() {
        return json;
    }

    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** Writes one broadcast frame; called on this channel's event loop. */
    void deliver(WebSocketFrame frame) {
        channel.writeAndFlush(frame, channel.voidPromise());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
            json = BaselineFrames.JSON_SUBPROTOCOL.equals(handshake.selectedSubprotocol());
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        ClientFrame parsed;
        try {
            if (frame instanceof TextWebSocketFrame text) {
                if (!json) {
                    close(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(), "binary frames only");
                    return;
                }
                parsed = BaselineFrames.parseJson(text.text());
            } else if (frame instanceof BinaryWebSocketFrame binary) {
                if (json) {
                    close(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(), "text frames only");
                    return;
                }
                parsed = BaselineFrames.parseBinary(binary.content().nioBuffer());
            } else {
                return; // pongs: the protocol handler answered pings and closes
            }
        } catch (InvalidProtocolBufferException e) {
            refuse("malformed frame");
            return;
        }
        protocol.handle(parsed);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (!ctx.channel().isWritable()) {
            // Its outbound buffer passed the high water mark: bounded, like the gateway's outbound queue.
            protocol.leaveAll();
            close(SLOW_CONSUMER, "slow consumer");
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        protocol.leaveAll();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "baseline connection failed; closing it", cause);
        protocol.leaveAll();
        ctx.close();
    }

    @Override
    public void reply(ServerFrame frame) {
        channel.writeAndFlush(NettyFrames.frame(NettyFrames.encode(channel.alloc(), frame, json), json),
                channel.voidPromise());
    }

    @Override
    public void refuse(String reason) {
        close(BaselineFrames.PROTOCOL_ERROR, reason);
    }

    @Override
    public void broadcast(Collection<NettyBaselineConnection> subscribers, ServerFrame message) {
        NettyFanout.broadcast(this, subscribers, message);
    }

    private void close(int code, String reason) {
        channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    }
}
