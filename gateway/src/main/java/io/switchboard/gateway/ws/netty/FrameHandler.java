package io.switchboard.gateway.ws.netty;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.gateway.ws.ConnectionHandler;
import io.switchboard.gateway.ws.InboundMessage;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.service.telemetry.LogContext;

/**
 * The WebSocket side of one upgraded Netty connection: reassembles fragmented messages within the frame limit (1009
 * beyond it), hands each whole message, ping and transport-decided close to the session through the connection's
 * {@link ReadLane} (off the event loop, in order), maps the frame decoder's and UTF-8 validator's rejections to
 * their close codes (1009, 1007, 1002), answers the client's close, and tells the session once that the transport
 * has ended ({@code channelInactive}), however it ended.
 *
 * <p>Confined to the channel's event loop.
 */
final class FrameHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(FrameHandler.class.getName());

    private final ConnectionHandler session;
    private final Subprotocol subprotocol;
    private final NettyFrameSink sink;
    private final int maxFrameBytes;
    private final ReadLane lane;
    private final ThreadFactory threads;
    // The parts of a fragmented message, made at its first fragment and dropped once it is whole (as the Helidon
    // listener does): an idle connection keeps no copy of its largest message so far.
    private ByteArrayOutputStream parts;
    private boolean textMessage;
    private long partBytes;
    // Set once this side has decided the connection ends (a close sent or asked for): later frames are dropped.
    private boolean ending;

    FrameHandler(ConnectionHandler session, Subprotocol subprotocol, NettyFrameSink sink, int maxFrameBytes,
                 ReadLane lane, ThreadFactory threads) {
        this.session = session;
        this.subprotocol = subprotocol;
        this.sink = sink;
        this.maxFrameBytes = maxFrameBytes;
        this.lane = lane;
        this.threads = threads;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            switch (msg) {
                case TextWebSocketFrame f -> data(f.content(), true, true, f.isFinalFragment());
                case BinaryWebSocketFrame f -> data(f.content(), true, false, f.isFinalFragment());
                case ContinuationWebSocketFrame f -> data(f.content(), false, textMessage, f.isFinalFragment());
                case PingWebSocketFrame ping -> {
                    byte[] payload = ByteBufUtil.getBytes(ping.content());
                    lane.submit(() -> session.onWsPing(payload));
                }
                case CloseWebSocketFrame close -> {
                    ending = true;
                    sink.closeReceived(close.statusCode());
                }
                default -> { } // pongs, and nothing else reaches here
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void data(ByteBuf content, boolean first, boolean text, boolean last) {
        if (ending) {
            return;
        }
        if (first) {
            textMessage = text;
        }
        partBytes += content.readableBytes();
        if (partBytes > maxFrameBytes) {
            end(() -> InboundMessage.tooBig(session, maxFrameBytes));
            return;
        }
        if (!last) {
            if (parts == null) {
                parts = new ByteArrayOutputStream();
            }
            parts.writeBytes(ByteBufUtil.getBytes(content));
            return;
        }
        byte[] message;
        if (parts == null) {
            message = ByteBufUtil.getBytes(content);
        } else {
            parts.writeBytes(ByteBufUtil.getBytes(content));
            message = parts.toByteArray();
        }
        parts = null;
        partBytes = 0;
        boolean isText = textMessage;
        lane.submit(() -> {
            LogContext.session(session.id());
            if (isText) {
                InboundMessage.text(session, subprotocol, new String(message, StandardCharsets.UTF_8));
            } else {
                InboundMessage.binary(session, subprotocol, message);
            }
        });
    }

    /** Bad input fails the connection (RFC 6455 7.1.7): nothing read after it is handled, no answer awaited. */
    private void end(Runnable close) {
        ending = true;
        sink.failOnClose();
        parts = null;
        partBytes = 0;
        lane.submit(close);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        sink.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        sink.writabilityChanged(); // a send blocked on the closed channel fails now
        // Off the event loop: the session's cleanup takes its registries' locks and reports presence.
        threads.newThread(session::onTransportClosed).start();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            if (ending) {
                return;
            }
            WebSocketCloseStatus status = corrupted.closeStatus();
            LOG.fine(() -> "Rejected a frame on " + session.id() + ": " + status + " " + cause.getMessage());
            if (WebSocketCloseStatus.MESSAGE_TOO_BIG.equals(status)) {
                end(() -> InboundMessage.tooBig(session, maxFrameBytes));
            } else if (WebSocketCloseStatus.INVALID_PAYLOAD_DATA.equals(status)) {
                end(() -> InboundMessage.invalidUtf8(session));
            } else {
                end(() -> session.close(ErrorCode.CLOSE_PROTOCOL_ERROR, "frame breaks RFC 6455"));
            }
            return;
        }
        if (cause instanceof ReadTimeoutException) {
            LOG.fine(() -> "Idle connection closed: " + session.id());
        } else {
            LOG.log(Level.FINE, "Transport error on " + session.id(), cause);
        }
        ctx.close();
    }
}
