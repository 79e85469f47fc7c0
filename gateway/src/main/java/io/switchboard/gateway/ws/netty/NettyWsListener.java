package io.switchboard.gateway.ws.netty;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.switchboard.gateway.limits.CapGate;
import io.switchboard.gateway.limits.EdgeLimits;
import io.switchboard.gateway.ws.ConnectionHandler;
import io.switchboard.gateway.ws.WsProtocols;

/**
 * The gateway's second WebSocket listener, on Netty (epoll where available, NIO otherwise), serving the same
 * sessions as the Helidon port: an idle connection is a registered channel, not a parked thread. Each connection
 * starts with an {@link UpgradeHandler} and, once upgraded, is a {@link FrameHandler} writing through a
 * {@link NettyFrameSink}; the session code does not know which transport it runs on.
 *
 * <p>Lifecycle: {@link #start} binds (once; logs {@code Netty WebSocket listener on ws://HOST:PORT/PATH});
 * {@link #stopAccepting()} closes the listening socket (the gateway's drain); {@link #stop(Duration)} closes every
 * connection and shuts the event loops down. Thread-safe.
 */
public final class NettyWsListener {
    private static final Logger LOG = Logger.getLogger(NettyWsListener.class.getName());
    /** Upgrade requests have no body; anything beyond this is refused by the aggregator. */
    private static final int MAX_REQUEST_BODY_BYTES = 8_192;
    private static final int MAX_INITIAL_LINE_BYTES = 4_096;
    private static final int ACCEPT_BACKLOG = 4_096;

    /**
     * What the listener asks the gateway.
     *
     * @param sessions  opens the session of each connection; yields null until the gateway is ready
     * @param admitting whether the gateway takes a new connection whose upgrade carries this start-up warm-up pass
     *                  ({@link io.switchboard.gateway.warmup.ConnectWarmUp#PASS_HEADER}; null: none): false while
     *                  starting (but for the warm-up's own connections) or draining, HTTP 503
     * @param protocols the subprotocols offered, and how batches are made
     * @param limits    the origin rule and its refusal counts
     * @param caps      the connection caps shared with the main port
     */
    public record Gateway(Supplier<ConnectionHandler.Factory> sessions, Predicate<String> admitting,
                          WsProtocols protocols, EdgeLimits limits, CapGate caps) {
        public Gateway {
            Objects.requireNonNull(sessions, "sessions");
            Objects.requireNonNull(admitting, "admitting");
            Objects.requireNonNull(protocols, "protocols");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(caps, "caps");
        }
    }

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel server;
    private final int port;

    private NettyWsListener(EventLoopGroup boss, EventLoopGroup workers, Channel server) {
        this.boss = boss;
        this.workers = workers;
        this.server = server;
        this.port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Binds {@code settings.host():settings.port()} and serves until stopped.
     *
     * @throws IllegalStateException when the port cannot be bound (the event loops are shut down again)
     */
    public static NettyWsListener start(NettySettings settings, Gateway gateway) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netty-ws-accept", true),
                io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("netty-ws-io", true),
                io);
        ThreadFactory readers = Thread.ofVirtual().name("netty-ws-reader-", 0).factory();
        WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(settings.maxFrameBytes())
                .expectMaskedFrames(true)
                .allowExtensions(false)
                // The close goes through the session's one write path, with the gateway's own reason.
                .closeOnProtocolViolation(false)
                .withUTF8Validator(false) // added by the upgrade handler, which reports through the session
                .build();
        long idleMillis = settings.idleTimeout().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("idle", new ReadTimeoutHandler(idleMillis, TimeUnit.MILLISECONDS))
                                .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE_BYTES, settings.maxHeaderBytes(),
                                        MAX_REQUEST_BODY_BYTES))
                                .addLast("http-aggregator", new HttpObjectAggregator(MAX_REQUEST_BODY_BYTES))
                                .addLast("upgrade", new UpgradeHandler(settings, gateway, readers, decoder));
                    }
                });
        Channel server;
        try {
            server = bootstrap.bind(settings.host(), settings.port()).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException("Netty WebSocket listener could not bind " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
        NettyWsListener listener = new NettyWsListener(boss, workers, server);
        LOG.info("Netty WebSocket listener on ws://" + settings.host() + ":" + listener.port + settings.path()
                + " (" + (epoll ? "epoll" : "nio") + ")");
        return listener;
    }

    /** The bound port. */
    public int port() {
        return port;
    }

    /** Closes the listening socket: no new connections; open ones stay. Idempotent. */
    public void stopAccepting() {
        server.close().syncUninterruptibly();
    }

    /**
     * Stops accepting, closes every connection (each session hears of it) and shuts the event loops down, waiting
     * up to {@code grace}. Idempotent.
     */
    public void stop(Duration grace) {
        stopAccepting();
        long timeout = Math.max(grace.toMillis(), 1);
        boss.shutdownGracefully(0, timeout, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, timeout, TimeUnit.MILLISECONDS).awaitUninterruptibly(timeout * 2);
        boss.terminationFuture().awaitUninterruptibly(timeout);
    }
}
