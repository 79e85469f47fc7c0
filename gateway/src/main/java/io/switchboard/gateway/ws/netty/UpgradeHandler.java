package io.switchboard.gateway.ws.netty;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import io.switchboard.gateway.limits.CapGate;
import io.switchboard.gateway.limits.ConnectionCaps;
import io.switchboard.gateway.limits.LimitMetrics;
import io.switchboard.gateway.ws.ConnectionHandler;
import io.switchboard.gateway.warmup.ConnectWarmUp;
import io.switchboard.gateway.ws.ProtocolOffer;

/**
 * The HTTP side of one Netty connection, until it upgrades: checks the upgrade request in the Helidon listener's
 * terms, each refusal answered before any session exists and the connection closed: another path 404; not a
 * WebSocket upgrade 400; the gateway not ready or draining 503; an {@code Origin} the gateway's origin rule refuses
 * 403; none of the offered subprotocols in the gateway's table 400; the connection caps full 503 or 429 (with
 * {@code Retry-After}). Then it completes the handshake with the negotiated subprotocol, opens the session through
 * the gateway's session factory (with the batching sink for a {@code +batch} offer) and hands the channel over to a
 * {@link FrameHandler}. A connection that has not upgraded within the handshake timeout is closed.
 *
 * <p>Confined to the channel's event loop.
 */
final class UpgradeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = Logger.getLogger(UpgradeHandler.class.getName());

    private final NettySettings settings;
    private final NettyWsListener.Gateway gateway;
    private final ThreadFactory threads;
    private final WebSocketDecoderConfig decoderConfig;
    private ScheduledFuture<?> handshakeDeadline;

    UpgradeHandler(NettySettings settings, NettyWsListener.Gateway gateway, ThreadFactory threads,
                   WebSocketDecoderConfig decoderConfig) {
        this.settings = settings;
        this.gateway = gateway;
        this.threads = threads;
        this.decoderConfig = decoderConfig;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        handshakeDeadline = ctx.executor().schedule(() -> {
            gateway.limits().metrics().refused(LimitMetrics.Limit.HANDSHAKE_TIMEOUT);
            ctx.close();
        }, settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        handshakeDeadline.cancel(false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            boolean tooLong = req.decoderResult().cause() instanceof TooLongFrameException;
            refuse(ctx, tooLong ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST,
                    "malformed request");
            return;
        }
        if (!new QueryStringDecoder(req.uri()).path().equals(settings.path())) {
            refuse(ctx, HttpResponseStatus.NOT_FOUND, "not found");
            return;
        }
        if (!req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "expected a WebSocket upgrade");
            return;
        }
        ConnectionHandler.Factory sessions = gateway.sessions().get();
        if (sessions == null || !gateway.admitting().test(req.headers().get(ConnectWarmUp.PASS_HEADER))) {
            refuse(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "gateway is not ready");
            return;
        }
        if (!gateway.limits().allowsOrigin(Optional.ofNullable(req.headers().get(HttpHeaderNames.ORIGIN)),
                Optional.ofNullable(req.headers().get(HttpHeaderNames.HOST)), false)) {
            refuse(ctx, HttpResponseStatus.FORBIDDEN, "origin not allowed");
            return;
        }
        List<String> offered = req.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        Optional<ProtocolOffer> chosen = gateway.protocols().table().negotiate(offered);
        if (chosen.isEmpty()) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, "Sec-WebSocket-Protocol: " + offered + " (expected: one of "
                    + gateway.protocols().table().tokens() + ")");
            return;
        }
        if (!gateway.admitting().test(null)) {
            // Let in by the start-up warm-up's pass alone: the gateway's own connection, not a client's, so it
            // takes no place under the caps (UpgradeGuard does the same on the main port).
            upgrade(ctx, req, chosen.get(), sessions);
            return;
        }
        ConnectionCaps.Outcome place = gateway.caps().admit(peerOf(ctx.channel()), req.headers()::getAll);
        if (place instanceof ConnectionCaps.Refused refused) {
            FullHttpResponse res = response(refused == ConnectionCaps.Refused.GATEWAY_FULL
                    ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.TOO_MANY_REQUESTS,
                    CapGate.refusal(refused));
            res.headers().set(HttpHeaderNames.RETRY_AFTER, CapGate.RETRY_AFTER_SECONDS);
            send(ctx, res);
            return;
        }
        ConnectionCaps.Lease lease = (ConnectionCaps.Lease) place;
        ctx.channel().closeFuture().addListener(f -> lease.release());
        upgrade(ctx, req, chosen.get(), sessions);
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, ProtocolOffer offer,
                         ConnectionHandler.Factory sessions) {
        Channel channel = ctx.channel();
        String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + settings.path();
        try {
            new WebSocketServerHandshaker13(url, offer.token(), decoderConfig).handshake(channel, req);
        } catch (WebSocketHandshakeException e) {
            refuse(ctx, HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        NettyFrameSink transport = new NettyFrameSink(channel);
        ConnectionHandler session;
        try {
            session = sessions.open(offer.encoding(), gateway.protocols().sinkFor(offer, transport));
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Failed to open a session on " + channel, e);
            ctx.close();
            return;
        }
        FrameHandler frames = new FrameHandler(session, offer.encoding(), transport, settings.maxFrameBytes(),
                new ReadLane(channel, threads), threads);
        ctx.pipeline().replace(this, "ws-frames", frames);
        ctx.pipeline().addBefore("ws-frames", "ws-utf8", new Utf8FrameValidator(false));
    }

    /** A connection that breaks before it upgrades (a reset, a timeout) just ends: there is no session yet. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "Connection failed before its upgrade: " + ctx.channel(), cause);
        ctx.close();
    }

    private static InetAddress peerOf(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress()
                : InetAddress.getLoopbackAddress();
    }

    private static void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        send(ctx, response(status, body));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return res;
    }

    /** Answers and closes: a refused connection is not kept for another request. */
    private static void send(ChannelHandlerContext ctx, FullHttpResponse res) {
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
}
